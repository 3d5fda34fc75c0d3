// Package workspace is the state of the emulated Databricks workspace (and of the
// Azure Key Vaults behind Key Vault-backed scopes) used by the llmkeyvault
// workspace emulator, a test double. It never holds a secret value: only the
// SHA-256 digest of each value is kept.
//
// The methods of Workspace are pure (no I/O) and apply the rules of the real
// services that the llmkeyvault component depends on; Store (store.go) keeps a
// Workspace in a JSON file shared by several plugin processes.
package workspace

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Limits of the real services.
const (
	MaxScopes          = 1000       // secret scopes per workspace
	MaxSecretsPerScope = 1000       // secrets per scope
	MaxSecretValue     = 128 * 1024 // bytes in a Databricks secret value
	MaxVaultValue      = 25 * 1024  // bytes in an Azure Key Vault secret value
	maxLogEntries      = 10000      // the call log keeps the newest entries only
)

// Backend types of a secret scope.
const (
	BackendDatabricks    = "DATABRICKS"
	BackendAzureKeyVault = "AZURE_KEYVAULT"
)

// Kinds of emulated objects, as used by the create counters and by
// LLMKEYVAULT_EMULATOR_FAIL.
const (
	KindScope       = "scope"
	KindSecret      = "secret"
	KindACL         = "acl"
	KindVaultSecret = "vaultsecret"
	KindRandomID    = "randomid"
	KindUCSecret    = "ucsecret"
	KindGrants      = "grants"
	KindGrant       = "grant"
	KindSchema      = "schema"
	KindServing     = "serving"
	KindProviderSvc = "modelproviderservice"
)

// Kinds lists every kind, in a stable order.
var Kinds = []string{KindScope, KindSecret, KindACL, KindVaultSecret, KindRandomID,
	KindUCSecret, KindGrants, KindGrant, KindSchema, KindServing, KindProviderSvc}

var (
	// Databricks scope names and secret keys (the documented rule, narrower
	// than the provider's own check).
	nameRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)
	// Azure Key Vault secret names.
	vaultSecretNameRe = regexp.MustCompile(`^[A-Za-z0-9-]{1,127}$`)
	// Azure Key Vault names.
	vaultNameRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$`)
	// ARM id of a vault.
	vaultIDRe = regexp.MustCompile(`(?i)^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.KeyVault/vaults/([^/]+)/?$`)
)

// Error codes, as the Databricks REST API names them (Key Vault errors reuse them).
const (
	CodeAlreadyExists   = "RESOURCE_ALREADY_EXISTS"
	CodeDoesNotExist    = "RESOURCE_DOES_NOT_EXIST"
	CodeInvalidParam    = "INVALID_PARAMETER_VALUE"
	CodeLimitExceeded   = "RESOURCE_LIMIT_EXCEEDED"
	CodeBadRequest      = "BAD_REQUEST"
	CodeInjectedFailure = "INJECTED_FAILURE"
	CodeConflict        = "Conflict" // Azure's code for a name held by a soft-deleted secret
)

// APIError is an error as the emulated service reports it.
type APIError struct {
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func apiErr(code, format string, args ...any) error {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// IsNotFound tells whether err says that the object does not exist: any of
// the API's 404 codes (RESOURCE_DOES_NOT_EXIST, and Unity Catalog's
// CATALOG_DOES_NOT_EXIST and SCHEMA_DOES_NOT_EXIST), as the provider's
// apierr.IsMissing sees them.
func IsNotFound(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case CodeDoesNotExist, CodeCatalogDoesNotExist, CodeSchemaDoesNotExist:
		return true
	}
	return false
}

// Digest is the SHA-256 hex digest under which a secret value is stored.
func Digest(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}

// ValidName tells whether s is a valid Databricks scope name or secret key.
func ValidName(s string) bool { return nameRe.MatchString(s) }

// ValidVaultSecretName tells whether s is a valid Azure Key Vault secret name.
func ValidVaultSecretName(s string) bool { return vaultSecretNameRe.MatchString(s) }

// KeyvaultMetadata is the Key Vault behind an AZURE_KEYVAULT scope.
type KeyvaultMetadata struct {
	ResourceID string `json:"resourceId"`
	DNSName    string `json:"dnsName"`
}

// VaultRef identifies a vault: resource group and name, compared without case.
type VaultRef struct {
	SubscriptionID string `json:"subscriptionId,omitempty"`
	ResourceGroup  string `json:"resourceGroup"`
	Name           string `json:"name"`
}

// Key is the map key of the vault in Workspace.Vaults.
func (r VaultRef) Key() string {
	return strings.ToLower(r.ResourceGroup) + "/" + strings.ToLower(r.Name)
}

// ParseVaultID parses `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<name>`.
func ParseVaultID(id string) (VaultRef, error) {
	m := vaultIDRe.FindStringSubmatch(id)
	if m == nil {
		return VaultRef{}, apiErr(CodeInvalidParam,
			"Invalid Azure Key Vault resource id %q: expected /subscriptions/<subscription>/resourceGroups/<resource group>/providers/Microsoft.KeyVault/vaults/<vault name>", id)
	}
	if !vaultNameRe.MatchString(m[3]) {
		return VaultRef{}, apiErr(CodeInvalidParam,
			"Invalid Azure Key Vault name %q: 3 to 24 letters, digits and dashes, starting with a letter", m[3])
	}
	return VaultRef{SubscriptionID: m[1], ResourceGroup: m[2], Name: m[3]}, nil
}

// Scope is a secret scope.
type Scope struct {
	Name                   string            `json:"name"`
	BackendType            string            `json:"backendType"`
	KeyvaultMetadata       *KeyvaultMetadata `json:"keyvaultMetadata,omitempty"`
	InitialManagePrincipal string            `json:"initialManagePrincipal,omitempty"`
	// Creator is the principal that created the scope (it got MANAGE unless
	// initialManagePrincipal was given).
	Creator string `json:"creator"`
	// Vault is the key of the backing vault in Workspace.Vaults (AZURE_KEYVAULT only).
	Vault     string                `json:"vault,omitempty"`
	CreatedMs int64                 `json:"createdMs"`
	Secrets   map[string]*SecretRec `json:"secrets"` // DATABRICKS scopes only
	ACLs      map[string]string     `json:"acls"`    // principal -> READ|WRITE|MANAGE
}

// SecretRec is a secret in a Databricks-backed scope (its digest, never its value).
type SecretRec struct {
	ValueSha256          string `json:"valueSha256"`
	LastUpdatedTimestamp int64  `json:"lastUpdatedTimestamp"`
}

// Vault is an emulated Azure Key Vault.
type Vault struct {
	VaultRef
	Secrets map[string]*VaultSecret `json:"secrets"` // lower-case name -> secret
	// Deleted holds soft-deleted secrets (lower-case name), until purged.
	Deleted map[string]*VaultSecret `json:"deleted"`
}

// VaultSecret is a secret in a Key Vault (its digest, never its value).
type VaultSecret struct {
	Name        string            `json:"name"`
	ValueSha256 string            `json:"valueSha256"`
	Version     string            `json:"version"`
	ContentType string            `json:"contentType,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	Enabled     *bool             `json:"enabled,omitempty"`
	Expires     *int64            `json:"expires,omitempty"`
	NotBefore   *int64            `json:"notBefore,omitempty"`
	Created     int64             `json:"created"`               // seconds since the epoch
	Updated     int64             `json:"updated"`               // seconds since the epoch
	DeletedDate int64             `json:"deletedDate,omitempty"` // seconds since the epoch (soft-deleted only)
}

// LogEntry is one mutating call (create, update, delete), never with a value.
type LogEntry struct {
	Seq     int64  `json:"seq"`
	Pid     int    `json:"pid"`
	Kind    string `json:"kind"`
	Op      string `json:"op"`
	Target  string `json:"target"`
	StartMs int64  `json:"startMs"`
	EndMs   int64  `json:"endMs"`
	Error   string `json:"error,omitempty"`
}

// Workspace is everything the emulator remembers.
type Workspace struct {
	FormatVersion int               `json:"formatVersion"`
	Scopes        map[string]*Scope `json:"scopes"`
	Vaults        map[string]*Vault `json:"vaults"`
	// Unity Catalog (uc.go): keys are lower-case full names.
	Catalogs  map[string]*UCCatalog `json:"catalogs"`
	Schemas   map[string]*UCSchema  `json:"schemas"`
	UCSecrets map[string]*UCSecret  `json:"ucSecrets"`
	// Grants: SecurableKey -> lower-case principal -> assignment.
	Grants map[string]map[string]*Assignment `json:"grants"`
	// Model Serving and AI Gateway (serving.go).
	ServingEndpoints      map[string]*ServingEndpoint      `json:"servingEndpoints"`
	ModelProviderServices map[string]*ModelProviderService `json:"modelProviderServices"`
	// Jobs (by id), clusters (by id) and the metastore (workloads.go).
	Jobs      map[string]*Job     `json:"jobs,omitempty"`
	Clusters  map[string]*Cluster `json:"clusters,omitempty"`
	Metastore *Metastore          `json:"metastore,omitempty"`
	// Users, service principals and groups (principals.go).
	Principals
	// CreateCounters counts Create calls per kind (failed ones included); the
	// fault injection hook keys on them.
	CreateCounters map[string]int64 `json:"createCounters"`
	// CallCounters counts calls per "<kind>.<op>" (op: check, diff, create,
	// read, update, delete).
	CallCounters map[string]int64 `json:"callCounters"`
	Log          []LogEntry       `json:"log"`
	NextSeq      int64            `json:"nextSeq"`
}

// New returns an empty workspace.
func New() *Workspace {
	w := &Workspace{FormatVersion: 1}
	w.normalize()
	return w
}

func (w *Workspace) normalize() {
	ensureMap(&w.Scopes)
	ensureMap(&w.Vaults)
	ensureMap(&w.Catalogs)
	ensureMap(&w.Schemas)
	ensureMap(&w.UCSecrets)
	ensureMap(&w.Grants)
	ensureMap(&w.ServingEndpoints)
	ensureMap(&w.ModelProviderServices)
	ensureMap(&w.Jobs)
	ensureMap(&w.Clusters)
	ensureMap(&w.CreateCounters)
	w.normalizePrincipals()
	ensureMap(&w.CallCounters)
	for _, s := range w.Scopes {
		ensureMap(&s.Secrets)
		ensureMap(&s.ACLs)
	}
	for _, v := range w.Vaults {
		ensureMap(&v.Secrets)
		ensureMap(&v.Deleted)
	}
}

// CountCall adds one to the call counter of kind.op.
func (w *Workspace) CountCall(kind, op string) { w.CallCounters[kind+"."+op]++ }

// AppendLog records a mutating call.
func (w *Workspace) AppendLog(e LogEntry) {
	w.NextSeq++
	e.Seq = w.NextSeq
	w.Log = append(w.Log, e)
	if n := len(w.Log); n > maxLogEntries {
		w.Log = append([]LogEntry(nil), w.Log[n-maxLogEntries:]...)
	}
}

// BeginCreate counts a Create of kind and fails it when the fault injection
// plan says this is the one to fail.
func (w *Workspace) BeginCreate(kind string, plan FailPlan) error {
	w.CreateCounters[kind]++
	n := w.CreateCounters[kind]
	for _, f := range plan {
		if f.Kind == kind && f.N == n {
			return apiErr(CodeInjectedFailure,
				"injected failure: Create #%d of kind %q (LLMKEYVAULT_EMULATOR_FAIL=%s:%d)", n, kind, kind, n)
		}
	}
	return nil
}

// ScopeSpec is what CreateScope asks for.
type ScopeSpec struct {
	Name                   string
	BackendType            string // may be empty: derived from KeyvaultMetadata
	KeyvaultMetadata       *KeyvaultMetadata
	InitialManagePrincipal string
	Creator                string
}

func invalidName(what, s string) error {
	return apiErr(CodeInvalidParam,
		"%s %q is invalid: it must consist of alphanumeric characters, dashes, underscores, and periods, and may not exceed 128 characters", what, s)
}

// CreateScope creates a secret scope, as Secrets API CreateScope does.
func (w *Workspace) CreateScope(spec ScopeSpec, nowMs int64) (*Scope, error) {
	if !ValidName(spec.Name) {
		return nil, invalidName("Scope name", spec.Name)
	}
	backend := spec.BackendType
	if spec.KeyvaultMetadata != nil {
		backend = BackendAzureKeyVault
	} else if backend == "" {
		backend = BackendDatabricks
	}
	switch backend {
	case BackendDatabricks:
	case BackendAzureKeyVault:
		if spec.KeyvaultMetadata == nil {
			return nil, apiErr(CodeInvalidParam, "Scope with backend type AZURE_KEYVAULT must have keyvault_metadata (resource_id, dns_name) defined!")
		}
	default:
		return nil, apiErr(CodeInvalidParam, "Invalid scope backend type %q: expected DATABRICKS or AZURE_KEYVAULT", backend)
	}
	if spec.InitialManagePrincipal != "" && spec.InitialManagePrincipal != "users" {
		return nil, apiErr(CodeInvalidParam,
			"Invalid initial_manage_principal %q: the only supported principal is \"users\"", spec.InitialManagePrincipal)
	}
	var vault *Vault
	if backend == BackendAzureKeyVault {
		md := spec.KeyvaultMetadata
		if md.ResourceID == "" || md.DNSName == "" {
			return nil, apiErr(CodeInvalidParam, "keyvault_metadata needs both resource_id and dns_name")
		}
		ref, err := ParseVaultID(md.ResourceID)
		if err != nil {
			return nil, err
		}
		vault = w.vault(ref, true)
	}
	// Scope names are case-insensitive ("Secret scopes" docs).
	for name := range w.Scopes {
		if strings.EqualFold(name, spec.Name) {
			return nil, apiErr(CodeAlreadyExists, "Scope %s already exists!", spec.Name)
		}
	}
	if len(w.Scopes) >= MaxScopes {
		return nil, apiErr(CodeLimitExceeded, "Maximum number of scopes (%d) in the workspace exceeded", MaxScopes)
	}
	s := &Scope{
		Name:                   spec.Name,
		BackendType:            backend,
		InitialManagePrincipal: spec.InitialManagePrincipal,
		Creator:                spec.Creator,
		CreatedMs:              nowMs,
		Secrets:                map[string]*SecretRec{},
		ACLs:                   map[string]string{},
	}
	if spec.KeyvaultMetadata != nil {
		md := *spec.KeyvaultMetadata
		s.KeyvaultMetadata = &md
		s.Vault = vault.Key()
	}
	if spec.InitialManagePrincipal != "" {
		s.ACLs[spec.InitialManagePrincipal] = "MANAGE"
	} else if spec.Creator != "" {
		s.ACLs[spec.Creator] = "MANAGE"
	}
	w.Scopes[spec.Name] = s
	return s, nil
}

func scopeMissing(name string) error {
	return apiErr(CodeDoesNotExist, "Scope %s does not exist!", name)
}

// DeleteScope deletes a scope with its secrets and ACLs (the secrets of a
// Key Vault-backed scope stay in the vault).
func (w *Workspace) DeleteScope(name string) error {
	if _, ok := w.Scopes[name]; !ok {
		return scopeMissing(name)
	}
	delete(w.Scopes, name)
	return nil
}

// Scope returns a scope.
func (w *Workspace) Scope(name string) (*Scope, error) {
	s, ok := w.Scopes[name]
	if !ok {
		return nil, scopeMissing(name)
	}
	return s, nil
}

// PutSecret writes (or overwrites) a secret in a Databricks-backed scope.
func (w *Workspace) PutSecret(scope, key, valueSha256 string, valueLen int, nowMs int64) (*SecretRec, error) {
	s, err := w.Scope(scope)
	if err != nil {
		return nil, err
	}
	if s.BackendType == BackendAzureKeyVault {
		return nil, apiErr(CodeBadRequest, "Cannot write secrets to Azure KeyVault-backed scope %s", scope)
	}
	if !ValidName(key) {
		return nil, invalidName("Secret key", key)
	}
	if valueLen > MaxSecretValue {
		return nil, apiErr(CodeInvalidParam, "Size of the secret value (%d bytes) exceeds the limit of %d bytes (128 KB)", valueLen, MaxSecretValue)
	}
	if _, ok := s.Secrets[key]; !ok && len(s.Secrets) >= MaxSecretsPerScope {
		return nil, apiErr(CodeLimitExceeded, "Maximum number of secrets (%d) in scope %s exceeded", MaxSecretsPerScope, scope)
	}
	rec := &SecretRec{ValueSha256: valueSha256, LastUpdatedTimestamp: nowMs}
	s.Secrets[key] = rec
	return rec, nil
}

// DeleteSecret deletes a secret from a Databricks-backed scope.
func (w *Workspace) DeleteSecret(scope, key string) error {
	s, err := w.Scope(scope)
	if err != nil {
		return err
	}
	if s.BackendType == BackendAzureKeyVault {
		return apiErr(CodeBadRequest, "Cannot delete secrets from Azure KeyVault-backed scope %s", scope)
	}
	if _, ok := s.Secrets[key]; !ok {
		return apiErr(CodeDoesNotExist, "Secret %s does not exist in scope %s", key, scope)
	}
	delete(s.Secrets, key)
	return nil
}

// Secret returns the record of a secret listed in a scope. For a Key
// Vault-backed scope it is made from the vault's secret.
func (w *Workspace) Secret(scope, key string) (*SecretRec, error) {
	s, err := w.Scope(scope)
	if err != nil {
		return nil, err
	}
	if s.BackendType == BackendAzureKeyVault {
		if v := w.Vaults[s.Vault]; v != nil {
			if vs := v.Secrets[strings.ToLower(key)]; vs != nil {
				return &SecretRec{ValueSha256: vs.ValueSha256, LastUpdatedTimestamp: vs.Updated * 1000}, nil
			}
		}
	} else if rec := s.Secrets[key]; rec != nil {
		return rec, nil
	}
	return nil, apiErr(CodeDoesNotExist, "Secret %s does not exist in scope %s", key, scope)
}

// SecretKeys lists the keys visible in a scope, sorted: for a Key
// Vault-backed scope, every secret of its vault.
func (w *Workspace) SecretKeys(scope string) ([]string, error) {
	s, err := w.Scope(scope)
	if err != nil {
		return nil, err
	}
	var keys []string
	if s.BackendType == BackendAzureKeyVault {
		if v := w.Vaults[s.Vault]; v != nil {
			for _, vs := range v.Secrets {
				keys = append(keys, vs.Name)
			}
		}
	} else {
		for k := range s.Secrets {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// ValidPermission tells whether p is a secret ACL permission.
func ValidPermission(p string) bool { return p == "READ" || p == "WRITE" || p == "MANAGE" }

// PutACL creates or overwrites the ACL of principal on scope.
func (w *Workspace) PutACL(scope, principal, permission string) error {
	s, err := w.Scope(scope)
	if err != nil {
		return err
	}
	if principal == "" {
		return apiErr(CodeInvalidParam, "principal must not be empty")
	}
	if !ValidPermission(permission) {
		return apiErr(CodeInvalidParam, "Invalid permission %q: expected one of READ, WRITE, MANAGE", permission)
	}
	if held, ok := aclPrincipal(s, principal); ok {
		delete(s.ACLs, held) // one ACL per principal, whatever the letter case
	}
	s.ACLs[principal] = permission
	return nil
}

// aclPrincipal is the spelling under which principal holds an ACL on s.
// Principals are compared without letter case, as Databricks compares user
// names (see the facts table in emulator/README.md).
func aclPrincipal(s *Scope, principal string) (string, bool) {
	if _, ok := s.ACLs[principal]; ok {
		return principal, true
	}
	for p := range s.ACLs {
		if samePrincipal(p, principal) {
			return p, true
		}
	}
	return "", false
}

// DeleteACL deletes the ACL of principal on scope. (The provider, not the
// API, keeps a deployer's own MANAGE: see the SecretAcl Delete.)
func (w *Workspace) DeleteACL(scope, principal string) error {
	s, err := w.Scope(scope)
	if err != nil {
		return err
	}
	held, ok := aclPrincipal(s, principal)
	if !ok {
		return apiErr(CodeDoesNotExist, "ACL for principal %s does not exist in scope %s", principal, scope)
	}
	delete(s.ACLs, held)
	return nil
}

// ACL returns the permission of principal on scope.
func (w *Workspace) ACL(scope, principal string) (string, error) {
	s, err := w.Scope(scope)
	if err != nil {
		return "", err
	}
	held, ok := aclPrincipal(s, principal)
	if !ok {
		return "", apiErr(CodeDoesNotExist, "ACL for principal %s does not exist in scope %s", principal, scope)
	}
	return s.ACLs[held], nil
}

// vault returns the vault ref names, creating it when create is set.
func (w *Workspace) vault(ref VaultRef, create bool) *Vault {
	k := ref.Key()
	v := w.Vaults[k]
	if v == nil && create {
		v = &Vault{VaultRef: VaultRef{SubscriptionID: ref.SubscriptionID, ResourceGroup: ref.ResourceGroup, Name: ref.Name},
			Secrets: map[string]*VaultSecret{}, Deleted: map[string]*VaultSecret{}}
		w.Vaults[k] = v
	}
	return v
}

// VaultSecretSpec is what PutVaultSecret writes.
type VaultSecretSpec struct {
	Vault       VaultRef
	Name        string
	ValueSha256 string
	ValueLen    int
	ContentType string
	Tags        map[string]string
	Enabled     *bool
	Expires     *int64
	NotBefore   *int64
}

// PutVaultSecret creates a secret or a new version of it (the vault is
// created on first use).
func (w *Workspace) PutVaultSecret(spec VaultSecretSpec, nowMs int64) (*VaultSecret, error) {
	if !vaultNameRe.MatchString(spec.Vault.Name) {
		return nil, apiErr(CodeInvalidParam,
			"Invalid Azure Key Vault name %q: 3 to 24 letters, digits and dashes, starting with a letter", spec.Vault.Name)
	}
	if spec.Vault.ResourceGroup == "" {
		return nil, apiErr(CodeInvalidParam, "resource group name must not be empty")
	}
	if !ValidVaultSecretName(spec.Name) {
		return nil, apiErr(CodeBadRequest,
			"The secret name %q is invalid: Key Vault secret names are 1 to 127 characters, letters, digits and dashes only", spec.Name)
	}
	if spec.ValueLen > MaxVaultValue {
		return nil, apiErr(CodeBadRequest,
			"The secret value is %d bytes; Azure Key Vault accepts at most %d bytes (25 KB)", spec.ValueLen, MaxVaultValue)
	}
	v := w.vault(spec.Vault, true)
	now := nowMs / 1000
	k := strings.ToLower(spec.Name)
	if d := v.Deleted[k]; d != nil {
		return nil, deletedButRecoverable(d.Name)
	}
	vs := v.Secrets[k]
	if vs == nil {
		vs = &VaultSecret{Name: spec.Name, Created: now}
		v.Secrets[k] = vs
	}
	vs.ValueSha256 = spec.ValueSha256
	vs.Version = newVersion()
	vs.ContentType = spec.ContentType
	vs.Tags = spec.Tags
	vs.Enabled = spec.Enabled
	vs.Expires = spec.Expires
	vs.NotBefore = spec.NotBefore
	vs.Updated = now
	return vs, nil
}

// VaultSecret returns a secret of a vault.
func (w *Workspace) VaultSecret(ref VaultRef, name string) (*VaultSecret, error) {
	if v := w.vault(ref, false); v != nil {
		if vs := v.Secrets[strings.ToLower(name)]; vs != nil {
			return vs, nil
		}
	}
	return nil, apiErr(CodeDoesNotExist, "Secret %s not found in vault %s", name, ref.Name)
}

// DeleteVaultSecret deletes a secret of a vault: a soft delete, as on every
// vault since soft delete became mandatory (see softdelete.go).
func (w *Workspace) DeleteVaultSecret(ref VaultRef, name string, nowMs int64) error {
	vs, err := w.VaultSecret(ref, name)
	if err != nil {
		return err
	}
	v := w.vault(ref, false)
	k := strings.ToLower(name)
	delete(v.Secrets, k)
	vs.DeletedDate = nowMs / 1000
	v.Deleted[k] = vs
	return nil
}

func newVersion() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}
