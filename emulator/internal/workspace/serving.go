package workspace

// Model Serving endpoints and AI Gateway model provider services: only what
// the emulator checks about the secrets they refer to. References are kept,
// values never (a reference is a name, `{{secrets/<scope>/<key>}}` or
// `secrets/<catalog>.<schema>.<secret>`).

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"sort"
	"strings"
)

// WorkspaceUsers is the workspace group every user belongs to: an ACL for it
// on a scope reaches every principal.
const WorkspaceUsers = "users"

// SecretRefRe matches a Databricks secret reference inside a string
// ("Secret paths in Spark configuration properties or environment variables",
// Databricks docs: `{{secrets/<scope-name>/<secret-name>}}`).
var SecretRefRe = regexp.MustCompile(`\{\{\s*secrets/([^/{}\s]+)/([^/{}\s]+)\s*\}\}`)

// ServingEndpoint is a Model Serving endpoint (references only).
type ServingEndpoint struct {
	Name             string         `json:"name"`
	ID               string         `json:"id"`
	Creator          string         `json:"creator"`
	SecretReferences []string       `json:"secretReferences"`
	Config           map[string]any `json:"config,omitempty"` // as given, plaintext credentials removed
	CreatedMs        int64          `json:"createdMs"`
	UpdatedMs        int64          `json:"updatedMs"`
}

// ModelProviderService is an AI Gateway model provider service (references only).
type ModelProviderService struct {
	Name             string         `json:"name"` // model-provider-services/<catalog>.<schema>.<id>
	FullName         string         `json:"fullName"`
	Parent           string         `json:"parent"` // schemas/<catalog>.<schema>
	Owner            string         `json:"owner"`
	CreatedBy        string         `json:"createdBy"`
	SecretReferences []string       `json:"secretReferences"` // secrets/<catalog>.<schema>.<secret>
	Config           map[string]any `json:"config,omitempty"` // as given, plaintext credentials removed
	CreatedMs        int64          `json:"createdMs"`
	UpdatedMs        int64          `json:"updatedMs"`
}

// ScopePermission is principal's effective permission on a scope: the
// highest of its own ACL, the `users` group's and its groups' (MANAGE for a
// workspace admin), "" if none (groups.go).
func (w *Workspace) ScopePermission(scope, principal string) string {
	s := w.Scopes[scope]
	if s == nil {
		return ""
	}
	return w.scopeRight(s, principal)
}

// CheckSecretReferences checks that every `{{secrets/<scope>/<key>}}` names
// an existing secret and that principal can read its scope (READ, WRITE or
// MANAGE: "The endpoint creator must have READ access to the Databricks
// secrets being referenced in the configs", Model Serving docs).
func (w *Workspace) CheckSecretReferences(principal string, refs []string) error {
	for _, ref := range refs {
		m := SecretRefRe.FindStringSubmatch(ref)
		if m == nil {
			return apiErr(CodeInvalidParam, "Invalid secret reference %q: expected {{secrets/<scope>/<key>}}", ref)
		}
		scope, key := m[1], m[2]
		if _, err := w.Scope(scope); err != nil {
			return apiErr(CodeDoesNotExist, "Secret scope %s referenced by %s does not exist.", scope, ref)
		}
		if w.ScopePermission(scope, principal) == "" {
			return apiErr(CodePermissionDenied,
				"Principal %s does not have READ permission on secret scope %s, which %s refers to. The endpoint creator must have READ access to the Databricks secrets referenced in the config.",
				principal, scope, ref)
		}
		if _, err := w.Secret(scope, key); err != nil {
			return apiErr(CodeDoesNotExist, "Secret %s does not exist in scope %s (referenced by %s).", key, scope, ref)
		}
	}
	return nil
}

// PutServingEndpoint creates (create=true) or updates an endpoint, after the
// reference checks.
func (w *Workspace) PutServingEndpoint(name, caller string, refs []string, config map[string]any, create bool, nowMs int64) (*ServingEndpoint, error) {
	e := w.ServingEndpoints[name]
	if create && e != nil {
		return nil, apiErr(CodeAlreadyExists, "Endpoint with name '%s' already exists.", name)
	}
	if !create && e == nil {
		return nil, apiErr(CodeDoesNotExist, "Endpoint with name '%s' does not exist.", name)
	}
	if err := w.CheckSecretReferences(caller, refs); err != nil {
		return nil, err
	}
	if e == nil {
		sum := sha256.Sum256([]byte(name + "\x00" + caller))
		e = &ServingEndpoint{Name: name, ID: hex.EncodeToString(sum[:16]), Creator: caller, CreatedMs: nowMs}
		w.ServingEndpoints[name] = e
	}
	e.SecretReferences = sortedUnique(refs)
	e.Config = config
	e.UpdatedMs = nowMs
	return e, nil
}

// DeleteServingEndpoint deletes an endpoint.
func (w *Workspace) DeleteServingEndpoint(name string) error {
	if w.ServingEndpoints[name] == nil {
		return apiErr(CodeDoesNotExist, "Endpoint with name '%s' does not exist.", name)
	}
	delete(w.ServingEndpoints, name)
	return nil
}

// ucSecretRefRe: `secrets/<catalog>.<schema>.<secret>` (secret_reference.name).
var ucSecretRefRe = regexp.MustCompile(`^secrets/([^./]+\.[^./]+\.[^./]+)$`)

// CheckUCSecretReferences checks every `secrets/<c>.<s>.<n>`: the UC secret
// exists and principal may use it (owner, MANAGE, REFERENCE_SECRET or READ_SECRET).
func (w *Workspace) CheckUCSecretReferences(principal string, refs []string) error {
	for _, ref := range refs {
		m := ucSecretRefRe.FindStringSubmatch(strings.TrimSpace(ref))
		if m == nil {
			return apiErr(CodeInvalidParam, "Invalid secret_reference.name %q: expected secrets/{catalog}.{schema}.{secret}", ref)
		}
		full := lower(m[1])
		if _, err := w.UCSecretByName(full); err != nil {
			return err
		}
		if !w.CanReference(principal, full) {
			return denied(privilegeReferenceSecret, SecurableSecret, full)
		}
	}
	return nil
}

var parentRe = regexp.MustCompile(`^schemas/([^./]+\.[^./]+)$`)

// PutModelProviderService creates or updates a model provider service.
func (w *Workspace) PutModelProviderService(parent, id, caller string, refs []string, config map[string]any, create bool, nowMs int64) (*ModelProviderService, error) {
	m := parentRe.FindStringSubmatch(strings.TrimSpace(parent))
	if m == nil {
		return nil, apiErr(CodeInvalidParam, "Invalid parent %q: expected schemas/{catalog}.{schema}", parent)
	}
	schemaFull := lower(m[1])
	if _, err := w.Schema(schemaFull); err != nil {
		return nil, err
	}
	if !ValidUCName(lower(id)) {
		return nil, invalidUCName("model provider service", id)
	}
	full := schemaFull + "." + lower(id)
	s := w.ModelProviderServices[full]
	if create && s != nil {
		return nil, apiErr(CodeAlreadyExists, "Model provider service '%s' already exists.", full)
	}
	if !create && s == nil {
		return nil, apiErr(CodeDoesNotExist, "Model provider service '%s' does not exist.", full)
	}
	if create {
		if err := w.needOnSchema(caller, schemaFull); err != nil {
			return nil, err
		}
	}
	if !create && !w.CanManage(caller, SecurableModelProviderService, full) {
		return nil, denied(privilegeManage, SecurableModelProviderService, full)
	}
	if err := w.CheckUCSecretReferences(caller, refs); err != nil {
		return nil, err
	}
	if s == nil {
		s = &ModelProviderService{Name: "model-provider-services/" + full, FullName: full, Parent: "schemas/" + schemaFull,
			Owner: caller, CreatedBy: caller, CreatedMs: nowMs}
		w.ModelProviderServices[full] = s
	}
	s.SecretReferences = sortedUnique(refs)
	s.Config = config
	s.UpdatedMs = nowMs
	return s, nil
}

// ModelProviderServiceByName returns a service by name or full name.
func (w *Workspace) ModelProviderServiceByName(name string) (*ModelProviderService, error) {
	full := lower(strings.TrimPrefix(name, "model-provider-services/"))
	if s := w.ModelProviderServices[full]; s != nil {
		return s, nil
	}
	return nil, apiErr(CodeDoesNotExist, "Model provider service '%s' does not exist.", full)
}

// DeleteModelProviderService deletes a service and the grants on it.
func (w *Workspace) DeleteModelProviderService(name, caller string) error {
	s, err := w.ModelProviderServiceByName(name)
	if err != nil {
		return err
	}
	return deleteManaged(w, w.ModelProviderServices, SecurableModelProviderService, s.FullName, caller)
}

func sortedUnique(xs []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
