package workspace

// The rights a caller holds on a secret scope, from its ACLs and its groups
// (principals.go holds the groups: nested membership counts). The built-in
// `admins` group is the workspace admins, who may do anything with any scope;
// `users` is every identity.
//
// Rights on a scope (Databricks "Secret ACLs"; the REST API's PutSecret,
// DeleteSecret, PutAcl, DeleteAcl and DeleteScope pages):
//
//	put or delete a secret   WRITE or MANAGE
//	put or delete an ACL     MANAGE
//	delete the scope         MANAGE
//
// A principal's permission is the highest of its own ACL, the `users` ACL and
// the ACLs of every group it belongs to; a workspace admin holds MANAGE on
// every scope.

import "strings"

var permissionRank = map[string]int{"READ": 1, "WRITE": 2, "MANAGE": 3}

// InGroup tells whether principal is a member of group, directly or through
// nested groups. Every identity is in `users`.
func (w *Workspace) InGroup(principal, group string) bool {
	if strings.EqualFold(group, WorkspaceUsers) {
		return true
	}
	seen := map[string]bool{}
	var in func(g string) bool
	in = func(g string) bool {
		if seen[strings.ToLower(g)] {
			return false
		}
		seen[strings.ToLower(g)] = true
		grp := w.group(g)
		if grp == nil {
			return false
		}
		for _, m := range grp.Members {
			if samePrincipal(m, principal) || in(m) {
				return true
			}
		}
		return false
	}
	return in(group)
}

// IsAdmin tells whether principal is a workspace admin (a member of `admins`).
func (w *Workspace) IsAdmin(principal string) bool {
	return w.InGroup(principal, WorkspaceAdmins)
}

// scopeRight is principal's effective permission on scope s ("" if none).
func (w *Workspace) scopeRight(s *Scope, principal string) string {
	if w.IsAdmin(principal) {
		return "MANAGE"
	}
	best := ""
	for p, perm := range s.ACLs {
		if (samePrincipal(p, principal) || w.InGroup(principal, p)) && permissionRank[perm] > permissionRank[best] {
			best = perm
		}
	}
	return best
}

// RequireScopeRight refuses caller unless it holds at least need (WRITE or
// MANAGE) on scope, in the words of the Secrets API.
func (w *Workspace) RequireScopeRight(scope, caller, need string) error {
	s, err := w.Scope(scope)
	if err != nil {
		return err
	}
	if permissionRank[w.scopeRight(s, caller)] >= permissionRank[need] {
		return nil
	}
	return apiErr(CodePermissionDenied, "User %s does not have %s permission on scope %s to perform this action.", caller, need, scope)
}

// group is the group named name, compared without letter case ("" if none).
func (w *Workspace) group(name string) *Group {
	if g := w.Groups[name]; g != nil {
		return g
	}
	for n, g := range w.Groups {
		if strings.EqualFold(n, name) {
			return g
		}
	}
	return nil
}
