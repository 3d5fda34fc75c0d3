package provider

// Schema entries of the Unity Catalog, Model Serving and AI Gateway types.
// Deep configuration blocks are typed pulumi.json#/Any: the emulator checks
// their contents itself (serving.go) and the fidelity test checks the
// top-level names against the typed SDK.

func anyType() map[string]any { return map[string]any{"$ref": "pulumi.json#/Any"} }

func strList() map[string]any { return map[string]any{"type": "array", "items": str()} }

func providerConfigType(prefix string) (string, map[string]any) {
	tok := "databricks:index/" + prefix + "ProviderConfig:" + prefix + "ProviderConfig"
	return tok, objectType(map[string]any{"workspaceId": str()})
}

func init() {
	for _, p := range []string{"SecretUc", "Grants", "Grant", "Schema", "ModelServing", "AiGatewayModelProviderService"} {
		tok, t := providerConfigType(p)
		packageTypes["databricks"][tok] = t
	}
	packageTypes["databricks"]["databricks:index/GrantsGrant:GrantsGrant"] = objectType(
		map[string]any{"principal": str(), "privileges": strList()}, "principal", "privileges")
}

func pcRef(prefix string) map[string]any {
	tok, _ := providerConfigType(prefix)
	return ref(tok)
}

var secretUcSchema = func() map[string]any {
	in := map[string]any{
		"catalogName": str(), "schemaName": str(), "name": str(), "value": secretStr(),
		"comment": str(), "expireTime": str(), "owner": str(), "providerConfig": pcRef("SecretUc"),
	}
	out := merge(in, map[string]any{
		"createTime": str(), "createdBy": str(), "effectiveOwner": str(), "fullName": str(),
		"metastoreId": str(), "updateTime": str(), "updatedBy": str(),
	})
	return resourceSchema("A Unity Catalog secret (catalog.schema.name).", in, out,
		[]string{"catalogName", "schemaName", "value"},
		[]string{"catalogName", "createTime", "createdBy", "effectiveOwner", "fullName", "metastoreId", "name", "owner",
			"schemaName", "updateTime", "updatedBy", "value"})
}()

func securableInputs() map[string]any {
	return map[string]any{"catalog": str(), "schema": str(), "secret": str(), "modelProviderService": str()}
}

var grantsSchema = func() map[string]any {
	in := merge(securableInputs(), map[string]any{
		"grants":         map[string]any{"type": "array", "items": ref("databricks:index/GrantsGrant:GrantsGrant")},
		"providerConfig": pcRef("Grants"),
	})
	return resourceSchema("Every grant on one Unity Catalog securable (authoritative).", in, in,
		[]string{"grants"}, []string{"grants"})
}()

var grantSchema = func() map[string]any {
	in := merge(securableInputs(), map[string]any{
		"principal": str(), "privileges": strList(), "providerConfig": pcRef("Grant"),
	})
	return resourceSchema("One principal's grant on a Unity Catalog securable (non-authoritative).", in, in,
		[]string{"principal", "privileges"}, []string{"principal", "privileges"})
}()

var ucSchemaSchema = func() map[string]any {
	in := map[string]any{
		"catalogName": str(), "name": str(), "comment": str(), "owner": str(), "properties": strMap(),
		"forceDestroy": boolean(), "storageRoot": str(), "metastoreId": str(), "enablePredictiveOptimization": str(),
		"providerConfig": pcRef("Schema"),
	}
	out := merge(in, map[string]any{"schemaId": str()})
	return resourceSchema("A Unity Catalog schema.", in, out, []string{"catalogName"},
		[]string{"catalogName", "enablePredictiveOptimization", "metastoreId", "name", "owner", "schemaId"})
}()

var modelServingSchema = func() map[string]any {
	in := map[string]any{
		"name": str(), "config": anyType(), "aiGateway": anyType(), "budgetPolicyId": str(), "description": str(),
		"emailNotifications": anyType(), "rateLimits": anyType(), "routeOptimized": boolean(), "tags": anyType(),
		"telemetryConfig": anyType(), "providerConfig": pcRef("ModelServing"),
	}
	out := merge(in, map[string]any{"servingEndpointId": str()})
	return resourceSchema("A Model Serving endpoint.", in, out, nil, []string{"config", "name", "servingEndpointId"})
}()

var modelProviderServiceSchema = func() map[string]any {
	in := map[string]any{
		"parent": str(), "modelProviderServiceId": str(), "comment": str(), "config": anyType(),
		"providerConfig": pcRef("AiGatewayModelProviderService"),
	}
	out := merge(in, map[string]any{
		"name": str(), "createTime": str(), "createdBy": str(), "effectiveOwner": str(), "etag": str(),
		"metastoreId": str(), "updateTime": str(), "updatedBy": str(),
	})
	return resourceSchema("An AI Gateway model provider service.", in, out,
		[]string{"modelProviderServiceId", "parent"},
		[]string{"createTime", "createdBy", "effectiveOwner", "etag", "metastoreId", "modelProviderServiceId", "name",
			"parent", "updateTime", "updatedBy"})
}()
