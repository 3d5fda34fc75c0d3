package workspace

import "testing"

// The identity that creates a scope holds MANAGE on it; an ACL for that identity
// replaces its level, so naming the deployer among the readers lowers it to READ
// (Databricks Secrets API: PutAcl overwrites the principal's permission).
func TestNamingTheCreatorAsAReaderLowersItsManage(t *testing.T) {
	w := New()
	mustScope(t, w, ScopeSpec{Name: "keys", Creator: "deployer@x"})
	if got := w.Scopes["keys"].ACLs["deployer@x"]; got != "MANAGE" {
		t.Fatalf("creator's level: %q, want MANAGE", got)
	}
	if err := w.PutACL("keys", "deployer@x", "READ"); err != nil {
		t.Fatal(err)
	}
	if got := w.Scopes["keys"].ACLs["deployer@x"]; got != "READ" {
		t.Errorf("creator's level after a READ ACL: %q, want READ", got)
	}
}
