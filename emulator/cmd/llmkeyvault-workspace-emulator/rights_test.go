package main

import (
	"encoding/json"
	"strings"
	"testing"

	"llmkeyvault/emulator/internal/workspace"
)

// withStdin runs the CLI with value on standard input.
func withStdin(t *testing.T, value string, args ...string) (int, string) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(value)
	defer func() { stdin = old }()
	code, _, errs := run(args...)
	return code, errs
}

func TestSecurityTeamCommands(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run("put-scope", "--dir", dir, "--scope", "llm", "--creator", "platform-sp"); code != 0 {
		t.Fatal(errs)
	}
	// put-secret as a principal without WRITE is refused with the API's words; nothing is stored.
	code, errs := withStdin(t, "sk-test-cli-1", "put-secret", "--dir", dir, "--scope", "llm", "--key", "k", "--caller", "security", "--digest-of-stdin")
	if code != 1 || !strings.Contains(errs, "PERMISSION_DENIED: User security does not have WRITE permission on scope llm") {
		t.Fatalf("put-secret without WRITE: %d %s", code, errs)
	}
	// In a group that holds WRITE, it writes.
	if code, _, errs := run("add-member", "--dir", dir, "--group", "sec-team", "--member", "security"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run("put-acl", "--dir", dir, "--scope", "llm", "--principal", "sec-team", "--permission", "WRITE"); code != 0 {
		t.Fatal(errs)
	}
	if code, errs := withStdin(t, "sk-test-cli-1", "put-secret", "--dir", dir, "--scope", "llm", "--key", "k", "--caller", "security", "--digest-of-stdin"); code != 0 {
		t.Fatal(errs)
	}
	// A Key Vault secret by the vault's ARM id, and a new UC value by its owner only.
	vault := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-llm"
	if code, errs := withStdin(t, "sk-test-cli-2", "put-vault-secret", "--dir", dir, "--vault-id", vault, "--name", "openai-api-key", "--digest-of-stdin"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run("seed", "--dir", dir, "--schema", "main.llm", "--owner", "security"); code != 0 {
		t.Fatal(errs)
	}
	if code, errs := withStdin(t, "sk-test-cli-3", "put-uc-secret", "--dir", dir, "--name", "main.llm.k", "--owner", "security", "--digest-of-stdin"); code != 0 {
		t.Fatal(errs)
	}
	if code, errs := withStdin(t, "sk-test-cli-4", "update-uc-secret", "--dir", dir, "--name", "main.llm.k", "--caller", "someone", "--digest-of-stdin"); code != 1 || !strings.Contains(errs, "PERMISSION_DENIED") {
		t.Fatalf("update by a non-owner: %d %s", code, errs)
	}
	if code, errs := withStdin(t, "sk-test-cli-4", "update-uc-secret", "--dir", dir, "--name", "main.llm.k", "--caller", "security", "--digest-of-stdin"); code != 0 {
		t.Fatal(errs)
	}
	_, out, _ := run("dump", "--dir", dir)
	var d workspace.Dump
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.Secrets["llm"]["k"].ValueSha256 != workspace.Digest("sk-test-cli-1") {
		t.Errorf("scope secret: %v", d.Secrets)
	}
	if d.Vaults["rg/kv-llm"].Secrets["openai-api-key"].ValueSha256 != workspace.Digest("sk-test-cli-2") {
		t.Errorf("vault secret: %s", out)
	}
	if d.UCSecrets["main.llm.k"].ValueSha256 != workspace.Digest("sk-test-cli-4") {
		t.Errorf("uc secret: %v", d.UCSecrets)
	}
	if got := d.Groups["sec-team"].Members; len(got) != 1 || got[0] != "security" {
		t.Errorf("groups: %v", d.Groups)
	}
	for _, v := range []string{"sk-test-cli-1", "sk-test-cli-2", "sk-test-cli-4"} {
		if strings.Contains(out, v) {
			t.Errorf("a value in the dump")
		}
	}
}
