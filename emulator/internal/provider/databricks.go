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

// Type tokens of the emulated Databricks resources (pulumi-databricks 1.118.0).
const (
	TokenSecretScope = "databricks:index/secretScope:SecretScope"
	TokenSecret      = "databricks:index/secret:Secret"
	TokenSecretACL   = "databricks:index/secretAcl:SecretAcl"
)

// pairSeparator joins the two parts of a Secret or SecretAcl id.
const pairSeparator = "|||"

// The provider's own name check (terraform-provider-databricks validScope);
// the API applies the narrower documented rule at Create.
var providerNameRe = regexp.MustCompile(`^[\w\.@_/-]{1,128}$`)

const providerNameRule = "Must consist of alphanumeric characters, dashes, underscores, and periods, and may not exceed 128 characters."

// Databricks is the emulated databricks package.
var Databricks = &Package{
	Name:           "databricks",
	DefaultVersion: "1.118.0",
	VersionEnv:     "LLMKEYVAULT_EMULATOR_DATABRICKS_VERSION",
	Config: map[string]string{
		"host": "string", "token": "string", "authType": "string", "accountId": "string",
		"azureClientId": "string", "azureClientSecret": "string", "azureTenantId": "string",
		"azureWorkspaceResourceId": "string", "azureUseMsi": "boolean", "clientId": "string", "clientSecret": "string",
		"profile": "string", "configFile": "string", "username": "string", "password": "string",
	},
	Resources: map[string]*ResourceType{
		TokenSecretScope: {
			Token:    TokenSecretScope,
			Kind:     workspace.KindScope,
			Inputs:   []string{"name", "backendType", "initialManagePrincipal", "keyvaultMetadata", "providerConfig"},
			Replace:  set("name", "backendType", "initialManagePrincipal", "keyvaultMetadata", "providerConfig"),
			Computed: set("backendType"),
			Check:    checkScope,
			Create:   createScope,
			Read:     readScope,
			Delete:   deleteScope,
			Schema:   scopeSchema,
		},
		TokenSecret: {
			Token:  TokenSecret,
			Kind:   workspace.KindSecret,
			Inputs: []string{"key", "scope", "stringValue", "stringValueWoVersion", "providerConfig"},
			// stringValueWo is write-only: a change to it alone is no change;
			// bump stringValueWoVersion to write a new value. A new stringValue
			// or stringValueWoVersion is written over the secret in place
			// (PutSecret is an upsert), as since terraform-provider-databricks
			// PR #5480 (commit 9a6aa88f1: string_value no longer ForceNew,
			// Update = Create = PutSecret), which pulumi-databricks 1.118.0
			// exposes (secret.py: stringValueWo, stringValueWoVersion).
			Replace: set("key", "scope", "providerConfig"),
			Secret:  []string{"stringValue", "stringValueWo"},
			Check:   checkSecret,
			Create:  createSecret,
			Read:    readSecret,
			Update:  updateSecret,
			Delete:  deleteSecret,
			Schema:  secretSchema,
		},
		TokenSecretACL: {
			Token:   TokenSecretACL,
			Kind:    workspace.KindACL,
			Inputs:  []string{"permission", "principal", "scope", "providerConfig"},
			Replace: set("permission", "principal", "scope", "providerConfig"),
			Check:   checkACL,
			Create:  createACL,
			Read:    readACL,
			Delete:  deleteACL,
			Schema:  aclSchema,
		},
	},
}

func set(keys ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func (c *checker) providerName(m resource.PropertyMap, key string, required bool) (string, bool) {
	var s string
	var ok bool
	if required {
		s, ok = c.requireString(m, key)
	} else {
		s, ok = c.optionalString(m, key)
	}
	if ok && !providerNameRe.MatchString(s) {
		c.fail(key, "invalid value for %s (%s)", key, providerNameRule)
		return s, false
	}
	return s, ok
}

func (c *checker) providerConfig(m resource.PropertyMap) {
	if pc, ok := c.optionalObject(m, "providerConfig"); ok {
		c.optionalString(pc, "workspaceId")
	}
}

// checkWithProviderConfig is the Check of a databricks resource: fn checks
// a copy of the new inputs, then the providerConfig block is checked.
func checkWithProviderConfig(call *checkCall, fn func(c *checker, ins resource.PropertyMap)) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	c := &checker{}
	ins := call.News.Copy()
	fn(c, ins)
	c.providerConfig(ins)
	return ins, c.failures
}

// --- SecretScope -----------------------------------------------------------

func checkScope(s *Server, call *checkCall) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	return checkWithProviderConfig(call, func(c *checker, ins resource.PropertyMap) {
		if !get(ins, "name").present {
			// pulumi-databricks auto-names a scope: <resource name>-<7 hex>.
			if old, ok := get(call.Olds, "name").str(); ok {
				ins[pk("name")] = resource.NewStringProperty(old)
			} else if name, err := resource.NewUniqueName(call.Seed, call.URN.Name()+"-", 7, 128, nil); err == nil {
				ins[pk("name")] = resource.NewStringProperty(name)
			}
		}
		c.providerName(ins, "name", true)
		if bt, ok := c.optionalString(ins, "backendType"); ok && bt != workspace.BackendDatabricks && bt != workspace.BackendAzureKeyVault {
			c.fail("backendType", "expected backendType to be one of [\"AZURE_KEYVAULT\" \"DATABRICKS\"], got %s", bt)
		}
		c.optionalString(ins, "initialManagePrincipal")
		if md, ok := c.optionalObject(ins, "keyvaultMetadata"); ok {
			for _, k := range []string{"resourceId", "dnsName"} {
				if !get(md, k).present {
					c.fail("keyvaultMetadata."+k, "Missing required property 'keyvaultMetadata.%s'", k)
				} else {
					c.stringField(get(md, k), "keyvaultMetadata."+k)
				}
			}
		}
	})
}

func scopeSpec(m resource.PropertyMap, creator string) workspace.ScopeSpec {
	spec := workspace.ScopeSpec{Creator: creator}
	spec.Name, _ = get(m, "name").str()
	spec.BackendType, _ = get(m, "backendType").str()
	spec.InitialManagePrincipal, _ = get(m, "initialManagePrincipal").str()
	if md, ok := get(m, "keyvaultMetadata").obj(); ok {
		spec.KeyvaultMetadata = &workspace.KeyvaultMetadata{}
		spec.KeyvaultMetadata.ResourceID, _ = get(md, "resourceId").str()
		spec.KeyvaultMetadata.DNSName, _ = get(md, "dnsName").str()
	}
	return spec
}

// patOnly tells whether the provider is configured with a personal access
// token and no Azure AD authentication (Key Vault-backed scopes then fail).
func (s *Server) patOnly() bool {
	if s.configValue("token") == "" {
		return false
	}
	at := strings.ToLower(s.configValue("authType"))
	if strings.HasPrefix(at, "azure") || s.configValue("azureClientId") != "" || s.configValue("azureUseMsi") == "true" {
		return false
	}
	return true
}

func scopeOutputs(sc *workspace.Scope, ins resource.PropertyMap) resource.PropertyMap {
	outs := copyInputs(ins, "initialManagePrincipal", "providerConfig")
	outs[pk("name")] = resource.NewStringProperty(sc.Name)
	outs[pk("backendType")] = resource.NewStringProperty(sc.BackendType)
	if sc.KeyvaultMetadata != nil {
		outs[pk("keyvaultMetadata")] = resource.NewObjectProperty(resource.PropertyMap{
			"resourceId": resource.NewStringProperty(sc.KeyvaultMetadata.ResourceID),
			"dnsName":    resource.NewStringProperty(sc.KeyvaultMetadata.DNSName),
		})
	}
	return outs
}

func createScope(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, error) {
	spec := scopeSpec(call.News, s.identity())
	if call.Preview {
		outs := call.News.Copy()
		if !get(outs, "backendType").present {
			bt := workspace.BackendDatabricks
			if spec.KeyvaultMetadata != nil || get(outs, "keyvaultMetadata").unknown {
				bt = workspace.BackendAzureKeyVault
			}
			outs[pk("backendType")] = resource.NewStringProperty(bt)
		}
		return "", outs, nil
	}
	var sc *workspace.Scope
	err := s.mutate(ctx, workspace.KindScope, "create", spec.Name, func(w *workspace.Workspace, now int64) error {
		if spec.KeyvaultMetadata != nil && s.patOnly() {
			return &workspace.APIError{Code: workspace.CodeInvalidParam, Message: "Scope with Azure KeyVault must have userAADToken defined!"}
		}
		var err error
		sc, err = w.CreateScope(spec, now)
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("cannot create secret scope: %w", err)
	}
	return sc.Name, scopeOutputs(sc, call.News), nil
}

func readScope(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, resource.PropertyMap, error) {
	sc, found, err := readByID(s, ctx, call, workspace.KindScope, "cannot read secret scope", (*workspace.Workspace).Scope)
	if !found {
		return "", nil, nil, err
	}
	outs := scopeOutputs(sc, call.Olds)
	ins := call.News
	if len(ins) == 0 {
		// An import: the inputs are what Read set, backendType (Optional and
		// Computed) included, so a program that names the backend sees no change.
		ins = copyInputs(outs, "name", "backendType", "initialManagePrincipal", "keyvaultMetadata", "providerConfig")
	}
	return sc.Name, outs, ins, nil
}

// --- Secret ----------------------------------------------------------------

func checkSecret(s *Server, call *checkCall) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	return checkWithProviderConfig(call, func(c *checker, ins resource.PropertyMap) {
		c.providerName(ins, "key", true)
		c.providerName(ins, "scope", true)
		sv, wo := get(ins, "stringValue"), get(ins, "stringValueWo")
		switch {
		case !sv.present && !wo.present:
			c.fail("stringValue", "one of `stringValue,stringValueWo` must be specified")
		case sv.present && wo.present:
			c.fail("stringValue", "only one of `stringValue,stringValueWo` can be specified")
		}
		if v, ok := c.optionalString(ins, "stringValue"); ok && v == "" {
			c.fail("stringValue", "expected \"stringValue\" to not be an empty string")
		}
		c.optionalString(ins, "stringValueWo")
		c.optionalInt(ins, "stringValueWoVersion")
	})
}

func secretID(scope, key string) string { return scope + pairSeparator + key }

func splitPair(id string) (string, string, error) {
	a, b, ok := strings.Cut(id, pairSeparator)
	if !ok || a == "" || b == "" {
		return "", "", fmt.Errorf("invalid ID: %s (expected <scope>%s<name>)", id, pairSeparator)
	}
	return a, b, nil
}

func secretOutputs(scope, key string, ins resource.PropertyMap, ts resource.PropertyValue) resource.PropertyMap {
	// stringValueWo is write-only: never kept in the outputs.
	outs := copyInputs(ins, "stringValue", "stringValueWoVersion", "providerConfig")
	if v, ok := outs[pk("stringValue")]; ok && !v.IsSecret() {
		outs[pk("stringValue")] = resource.MakeSecret(v)
	}
	outs[pk("key")] = resource.NewStringProperty(key)
	outs[pk("scope")] = resource.NewStringProperty(scope)
	outs[pk("configReference")] = resource.NewStringProperty(fmt.Sprintf("{{secrets/%s/%s}}", scope, key))
	outs[pk("lastUpdatedTimestamp")] = ts
	return outs
}

func createSecret(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, error) {
	scope, okScope := get(call.News, "scope").str()
	key, okKey := get(call.News, "key").str()
	if call.Preview {
		outs := call.News.Copy()
		delete(outs, pk("stringValueWo"))
		if v, ok := outs[pk("stringValue")]; ok && !v.IsSecret() {
			outs[pk("stringValue")] = resource.MakeSecret(v)
		}
		outs[pk("lastUpdatedTimestamp")] = computed()
		outs[pk("configReference")] = computed()
		if okScope && okKey {
			outs[pk("configReference")] = resource.NewStringProperty(fmt.Sprintf("{{secrets/%s/%s}}", scope, key))
		}
		return "", outs, nil
	}
	value := secretValue(call.News)
	caller := s.identity()
	rec, err := mutateValue(s, ctx, workspace.KindSecret, "create", secretID(scope, key), func(w *workspace.Workspace, now int64) (*workspace.SecretRec, error) {
		if err := w.RequireScopeRight(scope, caller, "WRITE"); err != nil {
			return nil, err
		}
		return w.PutSecret(scope, key, workspace.Digest(value), len(value), now)
	})
	if err != nil {
		return "", nil, fmt.Errorf("cannot create secret: %w", err)
	}
	return secretID(scope, key), secretOutputs(scope, key, call.News,
		resource.NewNumberProperty(float64(rec.LastUpdatedTimestamp))), nil
}

// secretValue is the value a Secret's inputs write: stringValue, else the
// write-only stringValueWo.
func secretValue(m resource.PropertyMap) string {
	if v, ok := get(m, "stringValue").str(); ok {
		return v
	}
	v, _ := get(m, "stringValueWo").str()
	return v
}

// updateSecret writes a new value over the same scope/key (PutSecret, an
// upsert): the secret is never absent. Scope and key cannot change here (they
// replace), so they come from the id.
func updateSecret(s *Server, ctx context.Context, call *opCall) (resource.PropertyMap, error) {
	scope, key, err := splitPair(call.ID)
	if err != nil {
		return nil, err
	}
	if call.Preview {
		return secretOutputs(scope, key, call.News, computed()), nil
	}
	value := secretValue(call.News)
	caller := s.identity()
	rec, err := mutateValue(s, ctx, workspace.KindSecret, "update", call.ID, func(w *workspace.Workspace, now int64) (*workspace.SecretRec, error) {
		if err := w.RequireScopeRight(scope, caller, "WRITE"); err != nil {
			return nil, err
		}
		return w.PutSecret(scope, key, workspace.Digest(value), len(value), now)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update secret: %w", err)
	}
	return secretOutputs(scope, key, call.News, resource.NewNumberProperty(float64(rec.LastUpdatedTimestamp))), nil
}

// valueDrift stands in for a value the workspace no longer holds: the
// emulator, unlike the real provider, can tell from the digest.
const valueDrift = "(value changed outside this stack: detected by the llmkeyvault workspace emulator)"

func readSecret(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, resource.PropertyMap, error) {
	scope, key, rec, found, err := readPair(s, ctx, call, workspace.KindSecret, "cannot read secret", (*workspace.Workspace).Secret)
	if !found {
		return "", nil, nil, err
	}
	outs := secretOutputs(scope, key, call.Olds, resource.NewNumberProperty(float64(rec.LastUpdatedTimestamp)))
	ins := readInputs(call.News, outs, "key", "scope", "stringValue", "stringValueWoVersion", "providerConfig")
	if v, ok := get(call.Olds, "stringValue").str(); ok && workspace.Digest(v) != rec.ValueSha256 {
		outs[pk("stringValue")] = secretString(valueDrift)
		if get(ins, "stringValue").present {
			ins[pk("stringValue")] = secretString(valueDrift)
		}
	}
	return call.ID, outs, ins, nil
}

// --- SecretAcl -------------------------------------------------------------

func checkACL(s *Server, call *checkCall) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	return checkWithProviderConfig(call, func(c *checker, ins resource.PropertyMap) {
		c.requireString(ins, "permission")
		c.requireString(ins, "principal")
		c.providerName(ins, "scope", true)
	})
}

func aclOutputs(scope, principal, permission string, ins resource.PropertyMap) resource.PropertyMap {
	outs := copyInputs(ins, "providerConfig")
	outs[pk("scope")] = resource.NewStringProperty(scope)
	outs[pk("principal")] = resource.NewStringProperty(principal)
	outs[pk("permission")] = resource.NewStringProperty(permission)
	return outs
}

func createACL(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, error) {
	if call.Preview {
		return "", call.News.Copy(), nil
	}
	scope, _ := get(call.News, "scope").str()
	principal, _ := get(call.News, "principal").str()
	permission, _ := get(call.News, "permission").str()
	id := scope + pairSeparator + principal
	caller := s.identity()
	err := s.mutate(ctx, workspace.KindACL, "create", id, func(w *workspace.Workspace, _ int64) error {
		if err := w.RequireScopeRight(scope, caller, "MANAGE"); err != nil {
			return err
		}
		return w.PutACL(scope, principal, permission)
	})
	if err != nil {
		return "", nil, fmt.Errorf("cannot create secret acl: %w", err)
	}
	return id, aclOutputs(scope, principal, permission, call.News), nil
}

func readACL(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, resource.PropertyMap, error) {
	scope, principal, perm, found, err := readPair(s, ctx, call, workspace.KindACL, "cannot read secret acl", (*workspace.Workspace).ACL)
	if !found {
		return "", nil, nil, err
	}
	outs := aclOutputs(scope, principal, perm, call.Olds)
	ins := call.News.Copy()
	if len(ins) == 0 {
		ins = copyInputs(outs, "scope", "principal", "permission", "providerConfig")
	} else {
		ins[pk("permission")] = resource.NewStringProperty(perm)
	}
	return call.ID, outs, ins, nil
}

// --- Deletes, with the caller's rights --------------------------------------

// deleteScope needs MANAGE on the scope (Secrets API DeleteScope).
func deleteScope(s *Server, ctx context.Context, call *opCall) error {
	caller := s.identity()
	return s.deleteGone(ctx, workspace.KindScope, call.ID, "cannot delete secret scope", func(w *workspace.Workspace, _ int64) error {
		if err := w.RequireScopeRight(call.ID, caller, "MANAGE"); err != nil {
			return err
		}
		return w.DeleteScope(call.ID)
	})
}

// deleteSecret needs WRITE or MANAGE on the scope (Secrets API DeleteSecret).
func deleteSecret(s *Server, ctx context.Context, call *opCall) error {
	scope, key, err := splitPair(call.ID)
	if err != nil {
		return err
	}
	caller := s.identity()
	return s.deleteGone(ctx, workspace.KindSecret, call.ID, "cannot delete secret", func(w *workspace.Workspace, _ int64) error {
		if err := w.RequireScopeRight(scope, caller, "WRITE"); err != nil {
			return err
		}
		return w.DeleteSecret(scope, key)
	})
}

// deleteACL needs MANAGE on the scope (Secrets API DeleteAcl). Like
// terraform-provider-databricks since v1.106.0 (secrets/resource_secret_acl.go,
// PR #5373 "Do not delete scope manage ACL when principal is deployer"), the
// provider skips the delete of a MANAGE ACL whose principal is the caller
// (SCIM Me's userName), so a deployer never locks itself out of the scope; the
// ACL goes with the scope.
func deleteACL(s *Server, ctx context.Context, call *opCall) error {
	scope, principal, err := splitPair(call.ID)
	if err != nil {
		return err
	}
	caller := s.identity()
	if perm, _ := get(call.Olds, "permission").str(); perm == "MANAGE" && strings.EqualFold(principal, caller) {
		return nil
	}
	return s.deleteGone(ctx, workspace.KindACL, call.ID, "cannot delete secret acl", func(w *workspace.Workspace, _ int64) error {
		if err := w.RequireScopeRight(scope, caller, "MANAGE"); err != nil {
			return err
		}
		return w.DeleteACL(scope, principal)
	})
}
