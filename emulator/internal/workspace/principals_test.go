package workspace

import (
	"slices"
	"testing"
)

func TestPrincipalsNestedGroupsAndBuiltIns(t *testing.T) {
	w := New()
	for _, m := range [][2]string{{"readers", "Alice@Example.com"}, {"readers", "inner"}, {"inner", "app-id-1"}, {"inner", "bob@example.com"}} {
		if err := w.AddMember(m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.AddMember("readers", "alice@example.com"); err != nil || len(w.Groups["readers"].Members) != 2 {
		t.Fatalf("adding a member twice must change nothing: %v %v", err, w.Groups["readers"].Members)
	}
	if err := w.AddServicePrincipal("app-id-1", "app"); err != nil {
		t.Fatal(err)
	}
	if got := w.PrincipalKind("inner"); got != PrincipalGroup {
		t.Fatalf("inner is %s", got)
	}
	if got := w.PrincipalKind("app-id-1"); got != PrincipalServicePrincipal {
		t.Fatalf("app-id-1 is %s", got)
	}
	if got := w.UserNames(); !slices.Equal(got, []string{"alice@example.com", "bob@example.com"}) {
		t.Fatalf("users: %v", got)
	}
	if got := w.GroupMembers(WorkspaceUsers); !slices.Equal(got, w.UserNames()) {
		t.Fatalf("users group: %v", got)
	}
	if got := w.GroupNames(); !slices.Equal(got, []string{"admins", "inner", "readers", "users"}) {
		t.Fatalf("groups: %v", got)
	}
	if err := w.AddMember(WorkspaceUsers, "carol@example.com"); err == nil {
		t.Fatal("the members of users are every user: adding one must be refused")
	}
	if err := w.RemoveMember("inner", "bob@example.com"); err != nil || slices.Contains(w.GroupMembers("inner"), "bob@example.com") {
		t.Fatalf("remove: %v", err)
	}
	if err := w.RemoveMember("inner", "bob@example.com"); !IsNotFound(err) {
		t.Fatalf("removing a non-member: %v", err)
	}
	if PrincipalID(PrincipalUser, "A@x") != PrincipalID(PrincipalUser, "a@x") || PrincipalID(PrincipalUser, "a") == PrincipalID(PrincipalGroup, "a") {
		t.Fatal("ids: stable without case, distinct per kind")
	}
}
