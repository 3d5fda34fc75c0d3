package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"llmkeyvault/tests/emulator/internal/workspace"
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
