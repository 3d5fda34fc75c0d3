package workspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

const kvID = "/subscriptions/sub-1/resourceGroups/rg-llm/providers/Microsoft.KeyVault/vaults/kv-llm"

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *APIError
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("want error code %s, got %v", code, err)
	}
}

func mustScope(t *testing.T, w *Workspace, spec ScopeSpec) *Scope {
	t.Helper()
	s, err := w.CreateScope(spec, 1)
	if err != nil {
		t.Fatalf("CreateScope(%+v): %v", spec, err)
	}
	return s
}

func TestScopeNames(t *testing.T) {
	w := New()
	for _, ok := range []string{"a", "llm-keys", "team_a.prod-1", strings.Repeat("x", 128)} {
		if _, err := w.CreateScope(ScopeSpec{Name: ok}, 1); err != nil {
			t.Errorf("scope %q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "with space", "slash/x", "at@x", "ünï", strings.Repeat("x", 129)} {
		_, err := w.CreateScope(ScopeSpec{Name: bad}, 1)
		wantCode(t, err, CodeInvalidParam)
	}
}

func TestScopeUniqueAndLimit(t *testing.T) {
	w := New()
	mustScope(t, w, ScopeSpec{Name: "s"})
	_, err := w.CreateScope(ScopeSpec{Name: "s"}, 1)
	wantCode(t, err, CodeAlreadyExists)
	if err.Error() != "RESOURCE_ALREADY_EXISTS: Scope s already exists!" {
		t.Errorf("message: %q", err)
	}
	// Scope names are case-insensitive.
	_, err = w.CreateScope(ScopeSpec{Name: "S"}, 1)
	wantCode(t, err, CodeAlreadyExists)
	for i := len(w.Scopes); i < MaxScopes; i++ {
		mustScope(t, w, ScopeSpec{Name: fmt.Sprintf("s%d", i)})
	}
	_, err = w.CreateScope(ScopeSpec{Name: "one-too-many"}, 1)
	wantCode(t, err, CodeLimitExceeded)
}

func TestInitialManagePrincipalAndCreator(t *testing.T) {
	w := New()
	s := mustScope(t, w, ScopeSpec{Name: "a", Creator: "me@x"})
	if s.ACLs["me@x"] != "MANAGE" || len(s.ACLs) != 1 {
		t.Errorf("creator ACL: %v", s.ACLs)
	}
	s = mustScope(t, w, ScopeSpec{Name: "b", Creator: "me@x", InitialManagePrincipal: "users"})
	if s.ACLs["users"] != "MANAGE" || len(s.ACLs) != 1 {
		t.Errorf("users ACL: %v", s.ACLs)
	}
	_, err := w.CreateScope(ScopeSpec{Name: "c", InitialManagePrincipal: "admins"}, 1)
	wantCode(t, err, CodeInvalidParam)
	// The API deletes any ACL, the creator's own MANAGE too (the provider is
	// what keeps a deployer's own MANAGE: see provider.deleteACL).
	if err := w.DeleteACL("a", "me@x"); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Scopes["a"].ACLs["me@x"]; ok {
		t.Error("creator MANAGE was not deleted")
	}
	if err := w.DeleteACL("b", "users"); err != nil || len(w.Scopes["b"].ACLs) != 0 {
		t.Errorf("users ACL not deleted: %v %v", err, w.Scopes["b"].ACLs)
	}
}

func TestBackendType(t *testing.T) {
	w := New()
	if s := mustScope(t, w, ScopeSpec{Name: "d"}); s.BackendType != BackendDatabricks {
		t.Errorf("default backend %s", s.BackendType)
	}
	s := mustScope(t, w, ScopeSpec{Name: "k", BackendType: BackendDatabricks,
		KeyvaultMetadata: &KeyvaultMetadata{ResourceID: kvID, DNSName: "https://kv-llm.vault.azure.net/"}})
	if s.BackendType != BackendAzureKeyVault {
		t.Errorf("keyvault metadata must set AZURE_KEYVAULT, got %s", s.BackendType)
	}
	_, err := w.CreateScope(ScopeSpec{Name: "x", BackendType: BackendAzureKeyVault}, 1)
	wantCode(t, err, CodeInvalidParam)
	_, err = w.CreateScope(ScopeSpec{Name: "y", KeyvaultMetadata: &KeyvaultMetadata{ResourceID: "/not/an/id", DNSName: "https://x/"}}, 1)
	wantCode(t, err, CodeInvalidParam)
}

func TestSecrets(t *testing.T) {
	w := New()
	_, err := w.PutSecret("missing", "k", Digest("v"), 1, 1)
	wantCode(t, err, CodeDoesNotExist)
	if err.Error() != "RESOURCE_DOES_NOT_EXIST: Scope missing does not exist!" {
		t.Errorf("message: %q", err)
	}
	mustScope(t, w, ScopeSpec{Name: "s"})
	for _, bad := range []string{"", "a b", "k/1", strings.Repeat("k", 129)} {
		_, err := w.PutSecret("s", bad, Digest("v"), 1, 1)
		wantCode(t, err, CodeInvalidParam)
	}
	_, err = w.PutSecret("s", "big", Digest("v"), MaxSecretValue+1, 1)
	wantCode(t, err, CodeInvalidParam)
	if _, err := w.PutSecret("s", "max", Digest("v"), MaxSecretValue, 1); err != nil {
		t.Fatal(err)
	}
	// Overwrite keeps one key with the new digest.
	if _, err := w.PutSecret("s", "openai-api-key", Digest("v1"), 2, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := w.PutSecret("s", "openai-api-key", Digest("v2"), 2, 2); err != nil {
		t.Fatal(err)
	}
	rec, err := w.Secret("s", "openai-api-key")
	if err != nil || rec.ValueSha256 != Digest("v2") || rec.LastUpdatedTimestamp != 2 {
		t.Fatalf("secret after overwrite: %+v %v", rec, err)
	}
	keys, _ := w.SecretKeys("s")
	if strings.Join(keys, ",") != "max,openai-api-key" {
		t.Errorf("keys %v", keys)
	}
	if err := w.DeleteSecret("s", "openai-api-key"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, w.DeleteSecret("s", "openai-api-key"), CodeDoesNotExist)
}

func TestSecretsPerScopeLimit(t *testing.T) {
	w := New()
	mustScope(t, w, ScopeSpec{Name: "s"})
	for i := 0; i < MaxSecretsPerScope; i++ {
		if _, err := w.PutSecret("s", fmt.Sprintf("k%d", i), "d", 1, 1); err != nil {
			t.Fatal(err)
		}
	}
	_, err := w.PutSecret("s", "one-more", "d", 1, 1)
	wantCode(t, err, CodeLimitExceeded)
	// Overwriting an existing key is still fine.
	if _, err := w.PutSecret("s", "k0", "d2", 1, 1); err != nil {
		t.Fatal(err)
	}
}

func TestDeleteScopeCascades(t *testing.T) {
	w := New()
	mustScope(t, w, ScopeSpec{Name: "s"})
	if _, err := w.PutSecret("s", "k", Digest("v"), 1, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.PutACL("s", "data-eng", "READ"); err != nil {
		t.Fatal(err)
	}
	if err := w.DeleteScope("s"); err != nil {
		t.Fatal(err)
	}
	if !IsNotFound(w.DeleteSecret("s", "k")) || !IsNotFound(w.DeleteACL("s", "data-eng")) || !IsNotFound(w.DeleteScope("s")) {
		t.Error("later deletes must report not found (the provider treats that as done)")
	}
	// A new scope of the same name starts empty.
	mustScope(t, w, ScopeSpec{Name: "s"})
	if keys, _ := w.SecretKeys("s"); len(keys) != 0 {
		t.Errorf("recreated scope has %v", keys)
	}
}

func TestACLs(t *testing.T) {
	w := New()
	wantCode(t, w.PutACL("nope", "p", "READ"), CodeDoesNotExist)
	mustScope(t, w, ScopeSpec{Name: "s"})
	wantCode(t, w.PutACL("s", "p", "OWNER"), CodeInvalidParam)
	wantCode(t, w.PutACL("s", "p", "read"), CodeInvalidParam)
	for _, p := range []string{"READ", "WRITE", "MANAGE"} {
		if err := w.PutACL("s", "p-"+p, p); err != nil {
			t.Fatal(err)
		}
	}
	if perm, err := w.ACL("s", "p-WRITE"); err != nil || perm != "WRITE" {
		t.Errorf("ACL: %s %v", perm, err)
	}
	if err := w.DeleteACL("s", "p-WRITE"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ACL("s", "p-WRITE"); !IsNotFound(err) {
		t.Errorf("deleted ACL still there: %v", err)
	}
}

// A principal holds one ACL per scope whatever its letter case: a new
// spelling overwrites it, and reading or deleting any spelling finds it.
func TestACLPrincipalsIgnoreCase(t *testing.T) {
	w := New()
	mustScope(t, w, ScopeSpec{Name: "s"})
	if err := w.PutACL("s", "Alice@Example.com", "READ"); err != nil {
		t.Fatal(err)
	}
	if perm, err := w.ACL("s", "alice@example.com"); err != nil || perm != "READ" {
		t.Errorf("ACL under another spelling: %q %v", perm, err)
	}
	if err := w.PutACL("s", "alice@example.com", "WRITE"); err != nil {
		t.Fatal(err)
	}
	if got := w.Scopes["s"].ACLs; len(got) != 1 || got["alice@example.com"] != "WRITE" {
		t.Errorf("ACLs after a new spelling: %v", got)
	}
	// Deleting the old spelling removes the grant made under the new one.
	if err := w.DeleteACL("s", "ALICE@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ACL("s", "alice@example.com"); !IsNotFound(err) {
		t.Errorf("ACL still there after deleting another spelling: %v", err)
	}
	if w.ScopePermission("s", "alice@example.com") != "" {
		t.Errorf("permission left after delete")
	}
}

func TestKeyVaultBackedScope(t *testing.T) {
	w := New()
	mustScope(t, w, ScopeSpec{Name: "kv", KeyvaultMetadata: &KeyvaultMetadata{ResourceID: kvID, DNSName: "https://kv-llm.vault.azure.net/"}})
	_, err := w.PutSecret("kv", "k", Digest("v"), 1, 1)
	wantCode(t, err, CodeBadRequest)
	if err.Error() != "BAD_REQUEST: Cannot write secrets to Azure KeyVault-backed scope kv" {
		t.Errorf("message %q", err)
	}
	wantCode(t, w.DeleteSecret("kv", "k"), CodeBadRequest)

	// The vault is identified by resource group and name, without case.
	ref := VaultRef{SubscriptionID: "other-sub", ResourceGroup: "RG-LLM", Name: "KV-LLM"}
	if _, err := w.PutVaultSecret(VaultSecretSpec{Vault: ref, Name: "openai-api-key", ValueSha256: Digest("v"), ValueLen: 1}, 5000); err != nil {
		t.Fatal(err)
	}
	if _, err := w.PutVaultSecret(VaultSecretSpec{Vault: VaultRef{ResourceGroup: "rg-other", Name: "kv-llm"}, Name: "elsewhere", ValueLen: 1}, 1); err != nil {
		t.Fatal(err)
	}
	keys, err := w.SecretKeys("kv")
	if err != nil || strings.Join(keys, ",") != "openai-api-key" {
		t.Fatalf("listing of the Key Vault-backed scope: %v %v", keys, err)
	}
	rec, err := w.Secret("kv", "openai-api-key")
	if err != nil || rec.ValueSha256 != Digest("v") || rec.LastUpdatedTimestamp != 5000 {
		t.Errorf("secret through the scope: %+v %v", rec, err)
	}
	if len(w.Vaults) != 2 {
		t.Errorf("vaults: %d", len(w.Vaults))
	}
	// Deleting the scope leaves the vault's secrets alone.
	if err := w.DeleteScope("kv"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.VaultSecret(ref, "openai-api-key"); err != nil {
		t.Error(err)
	}
}

func TestVaultSecrets(t *testing.T) {
	w := New()
	ref := VaultRef{ResourceGroup: "rg", Name: "kv-one"}
	for _, bad := range []string{"", "under_score", "dot.ted", strings.Repeat("a", 128)} {
		_, err := w.PutVaultSecret(VaultSecretSpec{Vault: ref, Name: bad}, 1)
		wantCode(t, err, CodeBadRequest)
	}
	_, err := w.PutVaultSecret(VaultSecretSpec{Vault: ref, Name: "big", ValueLen: MaxVaultValue + 1}, 1)
	wantCode(t, err, CodeBadRequest)
	_, err = w.PutVaultSecret(VaultSecretSpec{Vault: VaultRef{ResourceGroup: "rg", Name: "x"}, Name: "ok"}, 1)
	wantCode(t, err, CodeInvalidParam)

	v1, err := w.PutVaultSecret(VaultSecretSpec{Vault: ref, Name: "Key-1", ValueSha256: Digest("a"), ValueLen: MaxVaultValue}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	ver1 := v1.Version
	v2, err := w.PutVaultSecret(VaultSecretSpec{Vault: ref, Name: "Key-1", ValueSha256: Digest("b"), ValueLen: 1}, 9000)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version == ver1 || v2.Created != 1 || v2.Updated != 9 || v2.ValueSha256 != Digest("b") {
		t.Errorf("new version: %+v (old version %s)", v2, ver1)
	}
	// Secret names are case-insensitive.
	if _, err := w.VaultSecret(ref, "key-1"); err != nil {
		t.Error(err)
	}
	if err := w.DeleteVaultSecret(ref, "KEY-1", 10000); err != nil {
		t.Fatal(err)
	}
	if !IsNotFound(w.DeleteVaultSecret(ref, "key-1", 10000)) {
		t.Error("second delete must be not found")
	}
}

func TestVaultSoftDeleteBlocksTheNameUntilPurged(t *testing.T) {
	w := New()
	ref := VaultRef{ResourceGroup: "rg", Name: "kv-llm"}
	spec := VaultSecretSpec{Vault: ref, Name: "openai", ValueSha256: Digest("a"), ValueLen: 1}
	if _, err := w.PutVaultSecret(spec, 1000); err != nil {
		t.Fatal(err)
	}
	if err := w.DeleteVaultSecret(ref, "openai", 2000); err != nil {
		t.Fatal(err)
	}
	if _, err := w.VaultSecret(ref, "openai"); !IsNotFound(err) {
		t.Errorf("a soft-deleted secret is not readable: %v", err)
	}
	if d := w.Dump().Vaults["rg/kv-llm"]; len(d.SecretNames) != 0 || len(d.DeletedSecretNames) != 1 || d.DeletedSecretNames[0] != "openai" {
		t.Errorf("dump: %+v", d)
	}
	_, err := w.PutVaultSecret(VaultSecretSpec{Vault: ref, Name: "OpenAI", ValueSha256: Digest("b"), ValueLen: 1}, 3000)
	wantCode(t, err, CodeConflict)
	if !strings.Contains(err.Error(), "Conflict: Secret openai is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.") {
		t.Errorf("message: %v", err)
	}
	if err := w.PurgeVaultSecret(ref, "OPENAI"); err != nil {
		t.Fatal(err)
	}
	if !IsNotFound(w.PurgeVaultSecret(ref, "openai")) {
		t.Error("a second purge must be not found")
	}
	if _, err := w.PutVaultSecret(spec, 4000); err != nil {
		t.Errorf("after purge the name is free: %v", err)
	}
	// Recover brings a deleted secret back with its digest.
	if err := w.DeleteVaultSecret(ref, "openai", 5000); err != nil {
		t.Fatal(err)
	}
	if err := w.RecoverVaultSecret(ref, "openai"); err != nil {
		t.Fatal(err)
	}
	if vs, err := w.VaultSecret(ref, "openai"); err != nil || vs.ValueSha256 != Digest("a") || vs.DeletedDate != 0 {
		t.Errorf("recovered: %+v %v", vs, err)
	}
}

func TestParseVaultID(t *testing.T) {
	ref, err := ParseVaultID(kvID)
	if err != nil || ref.SubscriptionID != "sub-1" || ref.ResourceGroup != "rg-llm" || ref.Name != "kv-llm" {
		t.Fatalf("%+v %v", ref, err)
	}
	if _, err := ParseVaultID(strings.ToLower(kvID) + "/"); err != nil {
		t.Errorf("case and trailing slash: %v", err)
	}
	for _, bad := range []string{"", "kv-llm", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x",
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/x"} {
		if _, err := ParseVaultID(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestFailPlan(t *testing.T) {
	plan, err := ParseFailPlan("secret:2, acl:1")
	if err != nil || len(plan) != 2 {
		t.Fatalf("%v %v", plan, err)
	}
	for _, bad := range []string{"secret", "secret:0", "secret:x", "bucket:1"} {
		if _, err := ParseFailPlan(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	w := New()
	var results []bool
	for i := 0; i < 4; i++ {
		results = append(results, w.BeginCreate(KindSecret, plan) == nil)
	}
	if fmt.Sprint(results) != "[true false true true]" {
		t.Errorf("secret creates: %v", results)
	}
	err = w.BeginCreate(KindACL, plan)
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Errorf("acl #1: %v", err)
	}
	if w.CreateCounters[KindSecret] != 4 || w.CreateCounters[KindACL] != 1 {
		t.Errorf("counters %v", w.CreateCounters)
	}
}

func TestStorePersistsAndLocks(t *testing.T) {
	if _, err := Open(""); !errors.Is(err, ErrNoDir) {
		t.Fatalf("Open(\"\"): %v", err)
	}
	if ErrNoDir.Error() != "llmkeyvault workspace emulator (a test double): LLMKEYVAULT_EMULATOR_DIR is not set" {
		t.Errorf("message %q", ErrNoDir)
	}
	st, err := Open(t.TempDir() + "/ws")
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// A separate Store value, like a separate plugin process.
			other := &Store{Dir: st.Dir}
			err := other.Update(func(w *Workspace) error {
				w.CountCall(KindScope, "create")
				_, err := w.CreateScope(ScopeSpec{Name: fmt.Sprintf("s%d", i)}, 1)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// A failing fn still saves (counters, logs) and returns its error.
	err = st.Update(func(w *Workspace) error {
		w.CountCall(KindScope, "create")
		_, err := w.CreateScope(ScopeSpec{Name: "s0"}, 1)
		return err
	})
	wantCode(t, err, CodeAlreadyExists)
	_ = st.View(func(w *Workspace) error {
		if len(w.Scopes) != n || w.CallCounters["scope.create"] != n+1 {
			t.Errorf("after concurrent updates: %d scopes, counter %d", len(w.Scopes), w.CallCounters["scope.create"])
		}
		return nil
	})
	if err := st.Reset(); err != nil {
		t.Fatal(err)
	}
	_ = st.View(func(w *Workspace) error {
		if len(w.Scopes) != 0 || len(w.CallCounters) != 0 {
			t.Error("reset left state behind")
		}
		return nil
	})
}

func TestDumpHasNoValues(t *testing.T) {
	w := New()
	mustScope(t, w, ScopeSpec{Name: "s", Creator: "me"})
	const value = "sk-THIS-IS-THE-KEY-MATERIAL"
	if _, err := w.PutSecret("s", "openai-api-key", Digest(value), len(value), 1); err != nil {
		t.Fatal(err)
	}
	mustScope(t, w, ScopeSpec{Name: "kv", KeyvaultMetadata: &KeyvaultMetadata{ResourceID: kvID, DNSName: "https://kv-llm.vault.azure.net/"}})
	if _, err := w.PutVaultSecret(VaultSecretSpec{Vault: VaultRef{ResourceGroup: "rg-llm", Name: "kv-llm"}, Name: "anthropic-api-key",
		ValueSha256: Digest(value), ValueLen: len(value)}, 1); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(w.Dump())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), value) || strings.Contains(string(data), "KEY-MATERIAL") {
		t.Fatal("dump contains a secret value")
	}
	var d Dump
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if got := d.Scopes["kv"].SecretKeys; len(got) != 1 || got[0] != "anthropic-api-key" {
		t.Errorf("kv scope keys %v", got)
	}
	if d.Secrets["s"]["openai-api-key"].ValueSha256 != Digest(value) || d.ACLs["s"]["me"] != "MANAGE" {
		t.Errorf("dump: %s", data)
	}
	if d.Vaults["rg-llm/kv-llm"].SecretNames[0] != "anthropic-api-key" {
		t.Errorf("vaults: %+v", d.Vaults)
	}
}
