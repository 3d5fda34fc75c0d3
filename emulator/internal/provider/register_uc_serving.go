package provider

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"llmkeyvault/emulator/internal/workspace"
)

func fold(keys ...string) map[string]func(a, b resource.PropertyValue) bool {
	m := map[string]func(a, b resource.PropertyValue) bool{}
	for _, k := range keys {
		m[k] = equalFold
	}
	return m
}

// onSecurable completes rt, a type on one securable (Grants, Grant): its
// inputs are the securable fields, then key, then list (compared by equal),
// then providerConfig; all but list force replacement.
func onSecurable(rt *ResourceType, key []string, list string, equal func(a, b resource.PropertyValue) bool) *ResourceType {
	rt.Inputs = append(append(append(securableWires(), key...), list), "providerConfig")
	rt.Replace = set(append(append(securableWires(), key...), "providerConfig")...)
	rt.Equal = map[string]func(a, b resource.PropertyValue) bool{list: equal}
	return rt
}

// The Unity Catalog, Model Serving and AI Gateway types join the databricks package.
func init() {
	r := Databricks.Resources
	r[TokenSecretUc] = &ResourceType{
		Token:    TokenSecretUc,
		Kind:     workspace.KindUCSecret,
		Inputs:   []string{"catalogName", "schemaName", "name", "value", "comment", "expireTime", "owner", "providerConfig"},
		Replace:  set("catalogName", "schemaName", "name", "providerConfig"),
		Computed: set("owner"),
		Secret:   []string{"value"},
		Check:    checkSecretUc, Create: createSecretUc, Read: readSecretUc, Update: updateSecretUc,
		Delete: deleteNamed("fullName", workspace.KindUCSecret, "failed to delete secret_uc", (*workspace.Workspace).DeleteUCSecret),
		Schema: secretUcSchema,
	}
	r[TokenGrants] = onSecurable(&ResourceType{
		Token: TokenGrants,
		Kind:  workspace.KindGrants,
		Check: checkGrants, Create: opsGrants.create, Read: readGrants, Update: opsGrants.update, Delete: deleteGrants,
		Schema: grantsSchema,
	}, nil, "grants", equalGrants)
	r[TokenGrant] = onSecurable(&ResourceType{
		Token: TokenGrant,
		Kind:  workspace.KindGrant,
		Check: checkGrant, Create: opsGrant.create, Read: readGrant, Update: opsGrant.update, Delete: deleteGrant,
		Schema: grantSchema,
	}, []string{"principal"}, "privileges", equalPrivileges)
	r[TokenSchema] = &ResourceType{
		Token: TokenSchema,
		Kind:  workspace.KindSchema,
		Inputs: []string{"catalogName", "name", "comment", "owner", "properties", "forceDestroy", "storageRoot",
			"enablePredictiveOptimization", "providerConfig"},
		Replace:  set("catalogName", "name", "storageRoot", "providerConfig"),
		Computed: set("owner", "enablePredictiveOptimization"),
		Equal:    fold("catalogName", "name"),
		Check:    checkSchema, Create: createSchema, Read: readSchema, Update: updateSchema, Delete: deleteSchema,
		Schema: ucSchemaSchema,
	}
	r[TokenModelServing] = &ResourceType{
		Token: TokenModelServing,
		Kind:  workspace.KindServing,
		Inputs: []string{"name", "config", "aiGateway", "budgetPolicyId", "description", "emailNotifications", "rateLimits",
			"routeOptimized", "tags", "telemetryConfig", "providerConfig"},
		Replace:  set("name", "providerConfig"),
		Computed: set("config"),
		Check:    checkModelServing, Create: createModelServing, Read: readModelServing, Update: updateModelServing,
		Delete: deleteByID(workspace.KindServing, "cannot delete model serving", (*workspace.Workspace).DeleteServingEndpoint),
		Schema: modelServingSchema,
	}
	r[TokenModelProviderService] = &ResourceType{
		Token:   TokenModelProviderService,
		Kind:    workspace.KindProviderSvc,
		Inputs:  []string{"parent", "modelProviderServiceId", "comment", "config", "providerConfig"},
		Replace: set("parent", "modelProviderServiceId", "providerConfig"),
		Check:   checkModelProviderService, Create: createModelProviderService, Read: readModelProviderService,
		Update: updateModelProviderService,
		Delete: deleteNamed("name", workspace.KindProviderSvc, "failed to delete ai_gateway_model_provider_service",
			(*workspace.Workspace).DeleteModelProviderService),
		Schema: modelProviderServiceSchema,
	}
}
