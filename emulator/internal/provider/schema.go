package provider

import (
	"encoding/json"
	"sort"
)

const testDoubleNote = "Emulated by the llmkeyvault workspace emulator, a test double for tests and offline demos: it never talks to a real workspace."

func str() map[string]any     { return map[string]any{"type": "string"} }
func integer() map[string]any { return map[string]any{"type": "integer"} }
func boolean() map[string]any { return map[string]any{"type": "boolean"} }
func secretStr() map[string]any {
	return map[string]any{"type": "string", "secret": true}
}
func ref(token string) map[string]any { return map[string]any{"$ref": "#/types/" + token} }
func strMap() map[string]any {
	return map[string]any{"type": "object", "additionalProperties": str()}
}

// strs is properties of type string, one per key.
func strs(keys ...string) map[string]any {
	m := map[string]any{}
	for _, k := range keys {
		m[k] = str()
	}
	return m
}

func objectType(props map[string]any, required ...string) map[string]any {
	t := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		t["required"] = required
	}
	return t
}

func resourceSchema(desc string, inputs, outputs map[string]any, requiredInputs, required []string) map[string]any {
	r := map[string]any{
		"description":     desc + " " + testDoubleNote,
		"inputProperties": inputs,
		"properties":      outputs,
	}
	if len(requiredInputs) > 0 {
		r["requiredInputs"] = requiredInputs
	}
	if len(required) > 0 {
		r["required"] = required
	}
	return r
}

func merge(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// Types of the packages' schemas.
var packageTypes = map[string]map[string]any{ // package -> token -> type
	"databricks": {
		"databricks:index/SecretScopeKeyvaultMetadata:SecretScopeKeyvaultMetadata": objectType(
			map[string]any{"dnsName": str(), "resourceId": str()}, "dnsName", "resourceId"),
		"databricks:index/SecretScopeProviderConfig:SecretScopeProviderConfig": objectType(
			map[string]any{"workspaceId": str()}),
		"databricks:index/SecretProviderConfig:SecretProviderConfig": objectType(
			map[string]any{"workspaceId": str()}),
		"databricks:index/SecretAclProviderConfig:SecretAclProviderConfig": objectType(
			map[string]any{"workspaceId": str()}),
	},
	"azure-native": {
		"azure-native:keyvault:SecretAttributes": objectType(map[string]any{
			"enabled": boolean(), "expires": integer(), "notBefore": integer()}),
		"azure-native:keyvault:SecretProperties": objectType(map[string]any{
			"attributes": ref("azure-native:keyvault:SecretAttributes"), "contentType": str(), "value": secretStr()}),
		"azure-native:keyvault:SecretAttributesResponse": objectType(map[string]any{
			"created": integer(), "enabled": boolean(), "expires": integer(), "notBefore": integer(), "updated": integer()},
			"created", "updated"),
		"azure-native:keyvault:SecretPropertiesResponse": objectType(map[string]any{
			"attributes":  ref("azure-native:keyvault:SecretAttributesResponse"),
			"contentType": str(), "secretUri": str(), "secretUriWithVersion": str(), "value": str()},
			"secretUri", "secretUriWithVersion"),
	},
}

var scopeSchema = func() map[string]any {
	in := merge(strs("name", "backendType", "initialManagePrincipal"), map[string]any{
		"keyvaultMetadata": ref("databricks:index/SecretScopeKeyvaultMetadata:SecretScopeKeyvaultMetadata"),
		"providerConfig":   ref("databricks:index/SecretScopeProviderConfig:SecretScopeProviderConfig"),
	})
	return resourceSchema("A Databricks secret scope.", in, in, nil, []string{"backendType", "name"})
}()

var secretSchema = func() map[string]any {
	in := map[string]any{
		"key":                  str(),
		"scope":                str(),
		"stringValue":          secretStr(),
		"stringValueWo":        secretStr(),
		"stringValueWoVersion": integer(),
		"providerConfig":       ref("databricks:index/SecretProviderConfig:SecretProviderConfig"),
	}
	out := merge(in, map[string]any{"configReference": str(), "lastUpdatedTimestamp": integer()})
	return resourceSchema("A secret in a Databricks secret scope.", in, out,
		[]string{"key", "scope"}, []string{"configReference", "key", "lastUpdatedTimestamp", "scope"})
}()

var aclSchema = func() map[string]any {
	in := merge(strs("permission", "principal", "scope"), map[string]any{
		"providerConfig": ref("databricks:index/SecretAclProviderConfig:SecretAclProviderConfig"),
	})
	req := []string{"permission", "principal", "scope"}
	return resourceSchema("An ACL on a Databricks secret scope.", in, in, req, req)
}()

var randomIDSchema = func() map[string]any {
	in := map[string]any{"byteLength": integer(), "keepers": strMap(), "prefix": str()}
	out := merge(in, map[string]any{"hex": str(), "dec": str(), "b64Std": str(), "b64Url": str()})
	return resourceSchema("Random bytes, as hex, decimal and base64.", in, out,
		[]string{"byteLength"}, []string{"b64Std", "b64Url", "byteLength", "dec", "hex"})
}()

var vaultSecretSchema = func() map[string]any {
	in := merge(strs("resourceGroupName", "vaultName", "secretName"), map[string]any{
		"properties": ref("azure-native:keyvault:SecretProperties"),
		"tags":       strMap(),
	})
	out := merge(strs("azureApiVersion", "location", "name", "type"), map[string]any{
		"properties": ref("azure-native:keyvault:SecretPropertiesResponse"),
		"tags":       strMap(),
	})
	return resourceSchema("A secret in an Azure Key Vault.", in, out,
		[]string{"properties", "resourceGroupName", "vaultName"},
		[]string{"azureApiVersion", "location", "name", "properties", "tags", "type"})
}()

// SchemaJSON is the package schema of p: its emulated resources only.
func (p *Package) SchemaJSON() ([]byte, error) {
	resources := map[string]any{}
	for tok, rt := range p.Resources {
		resources[tok] = rt.Schema
	}
	vars := map[string]any{}
	keys := make([]string, 0, len(p.Config))
	for k := range p.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	inputs := map[string]any{}
	for _, k := range keys {
		t := map[string]any{"type": p.Config[k]}
		vars[k] = t
		inputs[k] = t
	}
	types := packageTypes[p.Name]
	if types == nil {
		types = map[string]any{}
	}
	schema := map[string]any{
		"name":        p.Name,
		"version":     p.Version(),
		"description": "The " + p.Name + " resources used by llmkeyvault. " + testDoubleNote,
		"config":      map[string]any{"variables": vars},
		"provider":    map[string]any{"description": "The " + p.Name + " provider (emulated).", "inputProperties": inputs},
		"resources":   resources,
		"types":       types,
		// As in the real bridged schemas: "index/secret" is module "index", so
		// tokens like databricks:index/secret:Secret bind.
		"meta": map[string]any{"moduleFormat": "(.*)(?:/[^/]*)"},
	}
	return json.MarshalIndent(schema, "", "  ")
}
