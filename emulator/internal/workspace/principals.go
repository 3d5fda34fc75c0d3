package workspace

// Principals of the workspace: users, service principals and groups (with
// nested members), as the SCIM API shows them. Only names are kept; the SCIM
// ids are derived from them (PrincipalID), so they are stable.
//
// Facts (see emulator/README.md): a group's members are users, service
// principals and other groups ("Manage groups", Databricks docs: nested
// groups); the built-in group `users` holds every workspace user and `admins`
// the workspace admins.

import (
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
)

// WorkspaceAdmins is the built-in group of workspace admins.
const WorkspaceAdmins = "admins"

// Principal kinds, as SCIM names their resources.
const (
	PrincipalUser             = "Users"
	PrincipalServicePrincipal = "ServicePrincipals"
	PrincipalGroup            = "Groups"
)

// User is a workspace user.
type User struct {
	DisplayName string `json:"displayName,omitempty"`
}

// ServicePrincipal is a workspace service principal (keyed by application id).
type ServicePrincipal struct {
	DisplayName string `json:"displayName,omitempty"`
}

// Group is a workspace group: its members are principal names (user names,
// application ids, group display names).
type Group struct {
	Members []string `json:"members"`
}

// Principals are the users, service principals and groups of the workspace.
// Embedded in Workspace.
type Principals struct {
	Users             map[string]*User             `json:"users,omitempty"`             // user name -> user
	ServicePrincipals map[string]*ServicePrincipal `json:"servicePrincipals,omitempty"` // application id -> service principal
	Groups            map[string]*Group            `json:"groups,omitempty"`            // display name -> group
}

func (p *Principals) normalizePrincipals() {
	ensureMap(&p.Users)
	ensureMap(&p.ServicePrincipals)
	ensureMap(&p.Groups)
}

// ensureMap makes a nil map (a field absent from the saved file) an empty one.
func ensureMap[K comparable, V any](m *map[K]V) {
	if *m == nil {
		*m = map[K]V{}
	}
}

// PrincipalID is the SCIM id of a principal: a number derived from its kind
// and name.
func PrincipalID(kind, name string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(kind + "\x00" + strings.ToLower(name)))
	return strconv.FormatUint(h.Sum64()%1e15, 10)
}

// AddUser registers a user (a second call changes its display name only).
func (w *Workspace) AddUser(name, displayName string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return apiErr(CodeInvalidParam, "userName must not be empty")
	}
	if _, ok := w.Groups[name]; ok {
		return apiErr(CodeAlreadyExists, "%s is a group", name)
	}
	w.Users[strings.ToLower(name)] = &User{DisplayName: displayName}
	return nil
}

// AddServicePrincipal registers a service principal by application id.
func (w *Workspace) AddServicePrincipal(appID, displayName string) error {
	appID = strings.TrimSpace(appID)
	if appID == "" {
		return apiErr(CodeInvalidParam, "applicationId must not be empty")
	}
	w.ServicePrincipals[strings.ToLower(appID)] = &ServicePrincipal{DisplayName: displayName}
	return nil
}

// AddMember adds member (a user name, application id or group name) to group,
// creating the group if needed. Adding a member twice changes nothing.
func (w *Workspace) AddMember(group, member string) error {
	group, member = strings.TrimSpace(group), strings.TrimSpace(member)
	if group == "" || member == "" {
		return apiErr(CodeInvalidParam, "group and member must not be empty")
	}
	if strings.EqualFold(group, WorkspaceUsers) {
		return apiErr(CodeInvalidParam, "the members of the built-in group %q are every workspace user: add a user instead", WorkspaceUsers)
	}
	g := w.Groups[group]
	if g == nil {
		g = &Group{}
		w.Groups[group] = g
	}
	for _, m := range g.Members {
		if strings.EqualFold(m, member) {
			return nil
		}
	}
	g.Members = append(g.Members, member)
	return nil
}

// RemoveMember removes member from group.
func (w *Workspace) RemoveMember(group, member string) error {
	g := w.Groups[group]
	if g == nil {
		return apiErr(CodeDoesNotExist, "Group %s does not exist", group)
	}
	for i, m := range g.Members {
		if strings.EqualFold(m, member) {
			g.Members = append(g.Members[:i], g.Members[i+1:]...)
			return nil
		}
	}
	return apiErr(CodeDoesNotExist, "%s is not a member of group %s", member, group)
}

// PrincipalKind tells what a name is: a group, a service principal or (any
// other name) a user.
func (w *Workspace) PrincipalKind(name string) string {
	if _, ok := w.Groups[name]; ok || strings.EqualFold(name, WorkspaceUsers) {
		return PrincipalGroup
	}
	if _, ok := w.ServicePrincipals[strings.ToLower(name)]; ok {
		return PrincipalServicePrincipal
	}
	return PrincipalUser
}

// UserNames lists every user, sorted: those registered, every other name
// that is a member of a group (a member is a user unless it is a group or a
// service principal), and every identity that created or owns something
// (it acted, so it exists). A principal only named in an ACL or a grant is
// not made a user by that.
func (w *Workspace) UserNames() []string {
	seen := map[string]bool{}
	for n := range w.Users {
		seen[n] = true
	}
	addUser := func(name string) {
		if name != "" && w.PrincipalKind(name) == PrincipalUser && !strings.EqualFold(name, AllAccountUsers) {
			seen[strings.ToLower(name)] = true
		}
	}
	for _, g := range w.Groups {
		for _, m := range g.Members {
			addUser(m)
		}
	}
	for _, s := range w.Scopes {
		addUser(s.Creator)
	}
	for _, c := range w.Catalogs {
		addUser(c.Owner)
	}
	for _, s := range w.Schemas {
		addUser(s.Owner)
		addUser(s.CreatedBy)
	}
	for _, s := range w.UCSecrets {
		addUser(s.Owner)
		addUser(s.CreatedBy)
	}
	for _, e := range w.ServingEndpoints {
		addUser(e.Creator)
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// GroupNames lists every group, the built-in `users` and `admins` included, sorted.
func (w *Workspace) GroupNames() []string {
	seen := map[string]bool{WorkspaceUsers: true, WorkspaceAdmins: true}
	for n := range w.Groups {
		seen[n] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// GroupMembers lists the direct members of a group; `users` holds every user.
func (w *Workspace) GroupMembers(name string) []string {
	if name == WorkspaceUsers {
		return w.UserNames()
	}
	if g := w.Groups[name]; g != nil {
		return append([]string(nil), g.Members...)
	}
	return nil
}
