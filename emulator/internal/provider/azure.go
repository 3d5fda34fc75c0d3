package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"llmkeyvault/emulator/internal/workspace"
)

// TokenVaultSecret is the type token of azure-native keyvault.Secret
// (pulumi-azure-native 3.29.0, Azure API 2024-11-01).
const TokenVaultSecret = "azure-native:keyvault:Secret"

const (
	azureAPIVersion     = "2024-11-01"
	azureSecretType     = "Microsoft.KeyVault/vaults/secrets"
	defaultSubscription = "00000000-0000-0000-0000-000000000000"
	defaultLocation     = "westeurope"
)

// AzureNative is the emulated azure-native package.
var AzureNative = &Package{
	Name:           "azure-native",
	DefaultVersion: "3.29.0",
	VersionEnv:     "LLMKEYVAULT_EMULATOR_AZURE_NATIVE_VERSION",
	Config: map[string]string{
		"subscriptionId": "string", "tenantId": "string", "clientId": "string", "clientSecret": "string",
		"location": "string", "useMsi": "boolean", "useOidc": "boolean", "environment": "string",
	},
	Resources: map[string]*ResourceType{
		TokenVaultSecret: {
			Token:   TokenVaultSecret,
			Kind:    workspace.KindVaultSecret,
			Inputs:  []string{"resourceGroupName", "vaultName", "secretName", "properties", "tags"},
			Replace: set("resourceGroupName", "vaultName", "secretName"),
			Secret:  []string{"properties.value"},
			Check:   checkVaultSecret,
			Create:  createVaultSecret,
			Read:    readVaultSecret,
			Update:  updateVaultSecret,
			Delete:  deleteVaultSecret,
			Schema:  vaultSecretSchema,
		},
	},
}

var (
	rgNameRe    = regexp.MustCompile(`^[-\w\._\(\)]+$`)
	vaultNameRe = regexp.MustCompile(`^[a-zA-Z0-9-]{3,24}$`)
	armSecretRe = regexp.MustCompile(`(?i)^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.KeyVault/vaults/([^/]+)/secrets/([^/]+)$`)
)

func checkVaultSecret(s *Server, call *checkCall) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	c := &checker{}
	ins := call.News.Copy()
	if rg, ok := c.requireString(ins, "resourceGroupName"); ok && (len(rg) > 90 || !rgNameRe.MatchString(rg)) {
		c.fail("resourceGroupName", "resourceGroupName %q does not match pattern ^[-\\w\\._\\(\\)]+$ (1 to 90 characters)", rg)
	}
	if vn, ok := c.requireString(ins, "vaultName"); ok && !vaultNameRe.MatchString(vn) {
		c.fail("vaultName", "vaultName %q does not match pattern ^[a-zA-Z0-9-]{3,24}$", vn)
	}
	if !get(ins, "secretName").present {
		// azure-native auto-names: <resource name> plus 8 random characters.
		if old, ok := get(call.Olds, "secretName").str(); ok {
			ins[pk("secretName")] = resource.NewStringProperty(old)
		} else if name, err := resource.NewUniqueName(call.Seed, call.URN.Name(), 8, 127, nil); err == nil {
			ins[pk("secretName")] = resource.NewStringProperty(name)
		}
	}
	if sn, ok := c.optionalString(ins, "secretName"); ok && !workspace.ValidVaultSecretName(sn) {
		c.fail("secretName", "secretName %q does not match pattern ^[a-zA-Z0-9-]{1,127}$", sn)
	}
	if !get(ins, "properties").present {
		c.fail("properties", "Missing required property 'properties'")
	} else if props, ok := c.optionalObject(ins, "properties"); ok {
		c.optionalString(props, "value")
		c.optionalString(props, "contentType")
		if attrs, ok := c.optionalObject(props, "attributes"); ok {
			if f := get(attrs, "enabled"); f.present && !f.unknown && !f.v.IsBool() {
				c.fail("properties.attributes.enabled", "properties.attributes.enabled must be a boolean")
			}
			c.optionalInt(attrs, "expires")
			c.optionalInt(attrs, "notBefore")
		}
	}
	if tags, ok := c.optionalObject(ins, "tags"); ok {
		for k := range tags {
			c.optionalString(tags, string(k))
		}
	}
	return ins, c.failures
}

func (s *Server) subscription() string {
	if v := s.configValue("subscriptionId"); v != "" {
		return v
	}
	return defaultSubscription
}

func vaultSecretSpec(s *Server, m resource.PropertyMap) workspace.VaultSecretSpec {
	spec := workspace.VaultSecretSpec{Vault: workspace.VaultRef{SubscriptionID: s.subscription()}}
	spec.Vault.ResourceGroup, _ = get(m, "resourceGroupName").str()
	spec.Vault.Name, _ = get(m, "vaultName").str()
	spec.Name, _ = get(m, "secretName").str()
	spec.Tags = stringMap(m[pk("tags")])
	if props, ok := get(m, "properties").obj(); ok {
		value, _ := get(props, "value").str()
		spec.ValueSha256, spec.ValueLen = workspace.Digest(value), len(value)
		spec.ContentType, _ = get(props, "contentType").str()
		if attrs, ok := get(props, "attributes").obj(); ok {
			if f := get(attrs, "enabled"); f.present && f.v.IsBool() {
				b := f.v.BoolValue()
				spec.Enabled = &b
			}
			if n, ok := (&checker{}).optionalInt(attrs, "expires"); ok {
				spec.Expires = &n
			}
			if n, ok := (&checker{}).optionalInt(attrs, "notBefore"); ok {
				spec.NotBefore = &n
			}
		}
	}
	return spec
}

func armSecretID(sub, rg, vault, name string) string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.KeyVault/vaults/%s/secrets/%s", sub, rg, vault, name)
}

func parseARMSecretID(id string) (workspace.VaultRef, string, error) {
	m := armSecretRe.FindStringSubmatch(id)
	if m == nil {
		return workspace.VaultRef{}, "", fmt.Errorf("invalid Key Vault secret id %q", id)
	}
	return workspace.VaultRef{SubscriptionID: m[1], ResourceGroup: m[2], Name: m[3]}, m[4], nil
}

func secretURI(vault, name string) string {
	return fmt.Sprintf("https://%s.vault.azure.net/secrets/%s", strings.ToLower(vault), name)
}

// vaultSecretOutputs are the outputs of azure-native keyvault.Secret: the
// ARM response, which never carries the value.
func (s *Server) vaultSecretOutputs(vault string, vs *workspace.VaultSecret) resource.PropertyMap {
	attrs := resource.PropertyMap{
		"created": resource.NewNumberProperty(float64(vs.Created)),
		"updated": resource.NewNumberProperty(float64(vs.Updated)),
		"enabled": resource.NewBoolProperty(vs.Enabled == nil || *vs.Enabled),
	}
	if vs.Expires != nil {
		attrs["expires"] = resource.NewNumberProperty(float64(*vs.Expires))
	}
	if vs.NotBefore != nil {
		attrs["notBefore"] = resource.NewNumberProperty(float64(*vs.NotBefore))
	}
	props := resource.PropertyMap{
		"attributes":           resource.NewObjectProperty(attrs),
		"secretUri":            resource.NewStringProperty(secretURI(vault, vs.Name)),
		"secretUriWithVersion": resource.NewStringProperty(secretURI(vault, vs.Name) + "/" + vs.Version),
	}
	if vs.ContentType != "" {
		props["contentType"] = resource.NewStringProperty(vs.ContentType)
	}
	loc := s.configValue("location")
	if loc == "" {
		loc = defaultLocation
	}
	outs := resource.PropertyMap{
		"azureApiVersion": resource.NewStringProperty(azureAPIVersion),
		"location":        resource.NewStringProperty(loc),
		"name":            resource.NewStringProperty(vs.Name),
		"properties":      resource.NewObjectProperty(props),
		"type":            resource.NewStringProperty(azureSecretType),
	}
	tags := resource.PropertyMap{}
	for k, v := range vs.Tags {
		tags[pk(k)] = resource.NewStringProperty(v)
	}
	outs["tags"] = resource.NewObjectProperty(tags)
	return outs
}

func (s *Server) previewVaultSecret(news resource.PropertyMap) resource.PropertyMap {
	vault, okV := get(news, "vaultName").str()
	name, okN := get(news, "secretName").str()
	props := resource.PropertyMap{
		"attributes":           computed(),
		"secretUri":            computed(),
		"secretUriWithVersion": computed(),
	}
	if okV && okN {
		props["secretUri"] = resource.NewStringProperty(secretURI(vault, name))
	}
	if in, ok := get(news, "properties").obj(); ok {
		if v, ok := in[pk("contentType")]; ok {
			props["contentType"] = v
		}
	}
	outs := resource.PropertyMap{
		"azureApiVersion": resource.NewStringProperty(azureAPIVersion),
		"location":        computed(),
		"name":            computed(),
		"properties":      resource.NewObjectProperty(props),
		"type":            resource.NewStringProperty(azureSecretType),
		"tags":            computed(),
	}
	if okN {
		outs["name"] = resource.NewStringProperty(name)
	}
	if t, ok := news[pk("tags")]; ok {
		outs["tags"] = t
	}
	return outs
}

func createVaultSecret(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, error) {
	if call.Preview {
		return "", s.previewVaultSecret(call.News), nil
	}
	spec := vaultSecretSpec(s, call.News)
	id := armSecretID(spec.Vault.SubscriptionID, spec.Vault.ResourceGroup, spec.Vault.Name, spec.Name)
	vs, err := mutateValue(s, ctx, workspace.KindVaultSecret, "create", spec.Vault.Name+"/"+spec.Name, func(w *workspace.Workspace, now int64) (*workspace.VaultSecret, error) {
		return w.PutVaultSecret(spec, now)
	})
	if err != nil {
		return "", nil, fmt.Errorf("creating Key Vault secret %s: %w", spec.Name, err)
	}
	return id, s.vaultSecretOutputs(spec.Vault.Name, vs), nil
}

func updateVaultSecret(s *Server, ctx context.Context, call *opCall) (resource.PropertyMap, error) {
	if call.Preview {
		return s.previewVaultSecret(call.News), nil
	}
	spec := vaultSecretSpec(s, call.News)
	vs, err := mutateValue(s, ctx, workspace.KindVaultSecret, "update", spec.Vault.Name+"/"+spec.Name, func(w *workspace.Workspace, now int64) (*workspace.VaultSecret, error) {
		return w.PutVaultSecret(spec, now)
	})
	if err != nil {
		return nil, fmt.Errorf("updating Key Vault secret %s: %w", spec.Name, err)
	}
	return s.vaultSecretOutputs(spec.Vault.Name, vs), nil
}

func readVaultSecret(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, resource.PropertyMap, error) {
	ref, name, err := parseARMSecretID(call.ID)
	if err != nil {
		return "", nil, nil, err
	}
	vs, found, err := readFound(s, ctx, workspace.KindVaultSecret, "", func(w *workspace.Workspace) (*workspace.VaultSecret, error) {
		return w.VaultSecret(ref, name)
	})
	if !found {
		return "", nil, nil, err
	}
	ins := call.News.Copy()
	if len(ins) == 0 {
		ins = resource.PropertyMap{
			"resourceGroupName": resource.NewStringProperty(ref.ResourceGroup),
			"vaultName":         resource.NewStringProperty(ref.Name),
			"secretName":        resource.NewStringProperty(vs.Name),
		}
	}
	return call.ID, s.vaultSecretOutputs(ref.Name, vs), ins, nil
}

func deleteVaultSecret(s *Server, ctx context.Context, call *opCall) error {
	ref, name, err := parseARMSecretID(call.ID)
	if err != nil {
		return err
	}
	return s.deleteGone(ctx, workspace.KindVaultSecret, ref.Name+"/"+name, "deleting Key Vault secret "+name, func(w *workspace.Workspace, now int64) error {
		return w.DeleteVaultSecret(ref, name, now)
	})
}
