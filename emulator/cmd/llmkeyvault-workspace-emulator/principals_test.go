package main

import (
	"reflect"
	"testing"

	"llmkeyvault/emulator/internal/workspace"
)

// The principal and undo commands each change the workspace and log what they did,
// with the target the audit reads: a principal's name, "group/member", "scope|||name".
func TestPrincipalAndUndoCommands(t *testing.T) {
	dir := t.TempDir()
	steps := [][]string{
		{"put-scope", "--scope", "llm", "--creator", "platform-sp"},
		{"put-acl", "--scope", "llm", "--principal", "ana@example.com", "--permission", "READ"},
		{"add-user", "--name", "ana@example.com", "--display-name", "Ana"},
		{"add-service-principal", "--application-id", "app-1", "--display-name", "Batch"},
		{"add-member", "--group", "data-science", "--member", "ana@example.com"},
		{"add-member", "--group", "data-science", "--member", "app-1"},
		{"remove-member", "--group", "data-science", "--member", "app-1"},
		{"delete-acl", "--scope", "llm", "--principal", "ana@example.com"},
	}
	for _, s := range steps {
		if code, _, errs := run(append([]string{s[0], "--dir", dir}, s[1:]...)...); code != 0 {
			t.Fatalf("%v: %d %s", s, code, errs)
		}
	}
	if code, errs := withStdin(t, "sk-test-cli-undo", "put-secret", "--dir", dir, "--scope", "llm", "--key", "k", "--caller", "platform-sp", "--digest-of-stdin"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run("delete-secret", "--dir", dir, "--scope", "llm", "--key", "k"); code != 0 {
		t.Fatal(errs)
	}
	// A flag left out reaches the workspace's own check.
	if code, _, errs := run("add-user", "--dir", dir); code != 1 || errs == "" {
		t.Errorf("add-user without --name: %d %q", code, errs)
	}

	st, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.View(func(w *workspace.Workspace) error {
		if u := w.Users["ana@example.com"]; u == nil || u.DisplayName != "Ana" {
			t.Errorf("user: %+v", w.Users)
		}
		if sp := w.ServicePrincipals["app-1"]; sp == nil || sp.DisplayName != "Batch" {
			t.Errorf("service principal: %+v", w.ServicePrincipals)
		}
		if g := w.Groups["data-science"]; g == nil || !reflect.DeepEqual(g.Members, []string{"ana@example.com"}) {
			t.Errorf("group: %+v", w.Groups)
		}
		if len(w.Scopes["llm"].ACLs) != 1 || len(w.Scopes["llm"].Secrets) != 0 {
			t.Errorf("scope after the deletes: ACLs %v, secrets %v", w.Scopes["llm"].ACLs, w.Scopes["llm"].Secrets)
		}
		var got [][3]string
		for _, e := range w.Log {
			switch e.Op {
			case "add-user", "add-service-principal", "add-member", "remove-member", "delete-acl", "delete-secret":
				got = append(got, [3]string{e.Kind, e.Op, e.Target})
			}
		}
		want := [][3]string{
			{"principal", "add-user", "ana@example.com"},
			{"principal", "add-service-principal", "app-1"},
			{"principal", "add-member", "data-science/ana@example.com"},
			{"principal", "add-member", "data-science/app-1"},
			{"principal", "remove-member", "data-science/app-1"},
			{workspace.KindACL, "delete-acl", "llm|||ana@example.com"},
			{workspace.KindSecret, "delete-secret", "llm|||k"},
			{"principal", "add-user", ""}, // the refused call is logged too
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("log:\n got %v\nwant %v", got, want)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
