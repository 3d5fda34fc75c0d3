package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"llmkeyvault/emulator/internal/workspace"
)

func run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestDumpAndReset(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(workspace.DirEnv, "")
	st, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	const value = "sk-cli-test-value"
	if err := st.Update(func(w *workspace.Workspace) error {
		if _, err := w.CreateScope(workspace.ScopeSpec{Name: "llm"}, 1); err != nil {
			return err
		}
		_, err := w.PutSecret("llm", "openai-api-key", workspace.Digest(value), len(value), 1)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	code, out, _ := run("dump", "--dir", dir)
	if code != 0 || strings.Contains(out, value) {
		t.Fatalf("dump: %d %s", code, out)
	}
	var d workspace.Dump
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.Scopes["llm"].SecretKeys[0] != "openai-api-key" || d.Dir == "" {
		t.Errorf("dump: %s", out)
	}

	// The folder can come from the environment too.
	t.Setenv(workspace.DirEnv, dir)
	if code, _, errs := run("reset"); code != 0 {
		t.Fatalf("reset: %d %s", code, errs)
	}
	_, out, _ = run("dump")
	var after workspace.Dump
	if err := json.Unmarshal([]byte(out), &after); err != nil || len(after.Scopes) != 0 {
		t.Errorf("after reset: %s", out)
	}
}

func TestUsage(t *testing.T) {
	t.Setenv(workspace.DirEnv, "")
	if code, _, errs := run("dump"); code != 2 || !strings.Contains(errs, "LLMKEYVAULT_EMULATOR_DIR") {
		t.Errorf("dump without folder: %d %s", code, errs)
	}
	if code, _, _ := run("frobnicate"); code != 2 {
		t.Errorf("unknown command: %d", code)
	}
	if code, out, _ := run("help"); code != 0 || !strings.Contains(out, "TEST DOUBLE") {
		t.Errorf("help: %d %s", code, out)
	}
	if code, out, _ := run("plugins"); code != 0 || !strings.Contains(out, "pulumi-resource-databricks\tdatabricks\t1.118.0") {
		t.Errorf("plugins: %d %s", code, out)
	}
}

func TestSeedAndPutCommands(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(workspace.DirEnv, dir)
	if code, _, errs := run("seed", "--schema", "main.llm", "--schema", "Main.Other", "--owner", "platform-sp"); code != 0 {
		t.Fatalf("seed: %d %s", code, errs)
	}
	if code, _, _ := run("seed", "--schema", "bad"); code != 1 {
		t.Error("a schema name needs a catalog")
	}
	if code, _, _ := run("seed"); code != 1 {
		t.Error("seed needs --schema")
	}
	if code, _, errs := run("put-scope", "--scope", "llm-keys", "--initial-manage-principal", "users"); code != 0 {
		t.Fatalf("put-scope: %s", errs)
	}
	const value = "sk-test-outside-pulumi"
	stdin = strings.NewReader(value)
	if code, _, errs := run("put-secret", "--scope", "llm-keys", "--key", "openai"); code != 1 || !strings.Contains(errs, "--digest-of-stdin is required") {
		t.Errorf("put-secret without --digest-of-stdin: %d %s", code, errs)
	}
	if code, _, errs := run("put-secret", "--scope", "llm-keys", "--key", "openai", "--digest-of-stdin"); code != 0 {
		t.Fatalf("put-secret: %s", errs)
	}
	stdin = strings.NewReader("")
	if code, _, _ := run("put-secret", "--scope", "llm-keys", "--key", "empty", "--digest-of-stdin"); code != 1 {
		t.Error("an empty value is refused")
	}
	stdin = strings.NewReader(value)
	if code, _, errs := run("put-uc-secret", "--name", "main.llm.openai_api_key", "--owner", "platform-sp", "--digest-of-stdin"); code != 0 {
		t.Fatalf("put-uc-secret: %s", errs)
	}
	if code, _, errs := run("put-acl", "--scope", "llm-keys", "--principal", "data-eng", "--permission", "READ"); code != 0 {
		t.Fatalf("put-acl: %s", errs)
	}
	if code, _, errs := run("put-acl", "--scope", "nope", "--principal", "x", "--permission", "READ"); code != 1 || !strings.Contains(errs, "Scope nope does not exist!") {
		t.Errorf("put-acl on a missing scope: %d %s", code, errs)
	}
	_, out, _ := run("dump")
	if strings.Contains(out, value) {
		t.Fatal("the value leaked into the dump")
	}
	var d workspace.Dump
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.Schemas["main.llm"].Owner != "platform-sp" || !d.Schemas["main.other"].Seeded || d.Catalogs["main"].Owner != "platform-sp" {
		t.Errorf("seeded: %+v %+v", d.Schemas, d.Catalogs)
	}
	if d.Secrets["llm-keys"]["openai"].ValueSha256 != workspace.Digest(value) || d.ACLs["llm-keys"]["users"] != "MANAGE" ||
		d.ACLs["llm-keys"]["data-eng"] != "READ" || d.UCSecrets["main.llm.openai_api_key"].ValueSha256 != workspace.Digest(value) {
		t.Errorf("dump: %s", out)
	}
}

func TestPurgeAndRecover(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(workspace.DirEnv, dir)
	st, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ref := workspace.VaultRef{ResourceGroup: "rg", Name: "kv-llm"}
	if err := st.Update(func(w *workspace.Workspace) error {
		if _, err := w.PutVaultSecret(workspace.VaultSecretSpec{Vault: ref, Name: "openai", ValueSha256: "d", ValueLen: 1}, 1000); err != nil {
			return err
		}
		return w.DeleteVaultSecret(ref, "openai", 2000)
	}); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run("purge", "--vault", "rg/kv-llm", "--name", "nope"); code != 1 || !strings.Contains(errs, "not found") {
		t.Errorf("purge of an unknown name: %d %s", code, errs)
	}
	if code, _, errs := run("recover", "--vault", "rg/kv-llm", "--name", "openai"); code != 0 {
		t.Fatalf("recover: %s", errs)
	}
	if err := st.Update(func(w *workspace.Workspace) error { return w.DeleteVaultSecret(ref, "openai", 3000) }); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run("purge", "--vault", "RG/KV-LLM", "--name", "OpenAI"); code != 0 {
		t.Fatalf("purge: %s", errs)
	}
	_, out, _ := run("dump")
	var d workspace.Dump
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if v, ok := d.Vaults["rg/kv-llm"]; !ok || len(v.SecretNames) != 0 || len(v.DeletedSecretNames) != 0 {
		t.Errorf("after purge: %+v", v)
	}
	if code, _, _ := run("purge", "--vault", "kv-llm", "--name", "x"); code != 1 {
		t.Error("the vault needs its resource group")
	}
}

func TestPutGrant(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(workspace.DirEnv, dir)
	if code, _, errs := run("seed", "--schema", "main.shared", "--owner", "other-team"); code != 0 {
		t.Fatalf("seed: %d %s", code, errs)
	}
	grant := func(args ...string) (int, string) {
		code, _, errs := run(append([]string{"put-grant", "--securable", "schema", "--name", "main.shared"}, args...)...)
		return code, errs
	}
	if code, errs := grant("--principal", "analysts", "--privilege", "use schema", "--privilege", "SELECT"); code != 1 ||
		!strings.Contains(errs, "PERMISSION_DENIED") {
		t.Errorf("only the owner (or a MANAGE holder) grants: %d %s", code, errs)
	}
	if code, errs := grant("--principal", "analysts", "--privilege", "use schema", "--privilege", "SELECT", "--caller", "other-team"); code != 0 {
		t.Fatalf("put-grant: %d %s", code, errs)
	}
	if code, errs := grant("--principal", "bi", "--privilege", "USE_CATALOG", "--caller", "other-team"); code != 1 ||
		!strings.Contains(errs, "not applicable") {
		t.Errorf("USE_CATALOG on a schema: %d %s", code, errs)
	}
	if code, errs := grant("--principal", "bi", "--caller", "other-team"); code != 1 || !strings.Contains(errs, "--privilege is required") {
		t.Errorf("no privilege: %d %s", code, errs)
	}
	if code, errs := grant("--principal", "bi", "--privilege", "BROWSE", "--caller", "other-team"); code != 0 {
		t.Fatalf("put-grant: %d %s", code, errs)
	}
	// Authoritative for its principal only: analysts' privileges become these; bi keeps its own.
	if code, errs := grant("--principal", "Analysts", "--privilege", "USE_SCHEMA", "--caller", "other-team"); code != 0 {
		t.Fatalf("put-grant: %d %s", code, errs)
	}
	_, out, _ := run("dump")
	var d workspace.Dump
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	got := d.UCGrants["schema"]["main.shared"]
	if len(got) != 2 || strings.Join(got["analysts"], ",") != "USE_SCHEMA" || strings.Join(got["bi"], ",") != "BROWSE" {
		t.Errorf("grants on main.shared: %v", got)
	}
}
