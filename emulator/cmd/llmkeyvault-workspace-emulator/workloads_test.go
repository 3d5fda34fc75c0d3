package main

import (
	"strings"
	"testing"

	"llmkeyvault/emulator/internal/workspace"
)

func TestAddJobAddClusterAndSetMetastore(t *testing.T) {
	dir := t.TempDir()
	job := `{"name":"nightly","tasks":[{"task_key":"t","new_cluster":{"spark_env_vars":{"K":"{{secrets/s/k}}"}}}]}`
	if code, _, errs := run("add-job", "--dir", dir, "--json", job, "--creator", "carol@example.com"); code != 0 {
		t.Fatalf("add-job: %d %s", code, errs)
	}
	if code, _, errs := run("add-cluster", "--dir", dir, "--json", `{"cluster_name":"c","spark_conf":{"a":"b"}}`); code != 0 {
		t.Fatalf("add-cluster: %d %s", code, errs)
	}
	if code, _, errs := run("set-metastore", "--dir", dir, "--name", "main", "--owner", "metastore-admins"); code != 0 {
		t.Fatalf("set-metastore: %d %s", code, errs)
	}
	for _, bad := range [][]string{
		{"add-job", "--dir", dir, "--json", `{"tasks":[]}`},                                      // no name
		{"add-job", "--dir", dir, "--json", `not json`},                                          // not JSON
		{"add-cluster", "--dir", dir, "--json", `{"cluster_name":"c","spark_env_vars":{"K":1}}`}, // not a string
		{"set-metastore", "--dir", dir, "--name", "main"},                                        // no owner
	} {
		if code, _, errs := run(bad...); code != 1 || !strings.Contains(errs, bad[0]) {
			t.Errorf("%v: %d %q, want a refusal", bad, code, errs)
		}
	}
	st, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_ = st.View(func(w *workspace.Workspace) error {
		if len(w.Jobs) != 1 || w.Jobs["1"].CreatorUserName != "carol@example.com" || len(w.Clusters) != 1 || w.Metastore.Owner != "metastore-admins" {
			t.Errorf("workspace: jobs %v clusters %v metastore %v", w.Jobs, w.Clusters, w.Metastore)
		}
		return nil
	})
}
