// Package httpapi serves the read side of the Databricks REST API over an
// emulated workspace (a test double): secret scopes, secret metadata and ACLs,
// SCIM users, service principals and groups, Unity Catalog secrets, grants,
// catalogs and schemas, and Model Serving endpoints. Request and response
// shapes follow the official API as databricks-sdk-py 0.167.0 sends and reads
// them, so that client talks to it unchanged. It never serves a secret value:
// the workspace holds none, and a request for one is refused and counted.
package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"llmkeyvault/emulator/internal/workspace"
)

// HostMetadataPath is the workspace's discovery document.
const HostMetadataPath = "/.well-known/databricks-config"

// WorkspaceID is the emulated workspace's id.
const WorkspaceID = "1000000000000001"

// CallsPath is where the counts of calls served are read (not a Databricks path).
const CallsPath = "/emulator/calls"

// Server serves the REST API over the workspace kept in Store.
type Server struct {
	Store *workspace.Store
	// Token, when set, is the bearer token every request must carry.
	Token string
	// Identity is the user the token belongs to (SCIM Me).
	Identity string

	mu    sync.Mutex
	calls map[string]int64 // "<METHOD> <route>" -> count
}

// New returns a server over st.
func New(st *workspace.Store, token, identity string) *Server {
	return &Server{Store: st, Token: token, Identity: identity, calls: map[string]int64{}}
}

type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func fail(status int, code, format string, args ...any) error {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// route is one served path: a pattern and its handler.
type route struct {
	name    string
	re      *regexp.Regexp
	handler func(s *Server, w *workspace.Workspace, r *http.Request, m []string) (any, error)
}

var routes = []route{
	{"secrets/scopes/list", regexp.MustCompile(`^/api/2\.0/secrets/scopes/list$`), (*Server).listScopes},
	{"secrets/list", regexp.MustCompile(`^/api/2\.0/secrets/list$`), (*Server).listSecrets},
	{"secrets/acls/list", regexp.MustCompile(`^/api/2\.0/secrets/acls/list$`), (*Server).listACLs},
	{"secrets/acls/get", regexp.MustCompile(`^/api/2\.0/secrets/acls/get$`), (*Server).getACL},
	{"secrets/get", regexp.MustCompile(`^/api/2\.0/secrets/get$`), (*Server).getSecretValue},
	{"scim/Me", regexp.MustCompile(`^/api/2\.0/preview/scim/v2/Me$`), (*Server).me},
	{"scim/list", regexp.MustCompile(`^/api/2\.0/preview/scim/v2/(Users|Groups|ServicePrincipals)$`), (*Server).scimList},
	{"scim/get", regexp.MustCompile(`^/api/2\.0/preview/scim/v2/(Users|Groups|ServicePrincipals)/([^/]+)$`), (*Server).scimGet},
	{"uc/secrets/list", regexp.MustCompile(`^/api/2\.1/unity-catalog/secrets$`), (*Server).listUCSecrets},
	{"uc/secrets/get", regexp.MustCompile(`^/api/2\.1/unity-catalog/secrets/([^/]+)$`), (*Server).getUCSecret},
	{"uc/permissions", regexp.MustCompile(`^/api/2\.1/unity-catalog/permissions/([a-z_]+)/([^/]+)$`), (*Server).permissions},
	{"uc/catalogs/get", regexp.MustCompile(`^/api/2\.1/unity-catalog/catalogs/([^/]+)$`), (*Server).getCatalog},
	{"uc/schemas/get", regexp.MustCompile(`^/api/2\.1/unity-catalog/schemas/([^/]+)$`), (*Server).getSchema},
	{"serving-endpoints/list", regexp.MustCompile(`^/api/2\.0/serving-endpoints$`), (*Server).listEndpoints},
	{"serving-endpoints/get", regexp.MustCompile(`^/api/2\.0/serving-endpoints/([^/]+)$`), (*Server).getEndpoint},
}

// Calls returns a copy of the call counts.
func (s *Server) Calls() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int64, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

func (s *Server) count(key string) {
	s.mu.Lock()
	s.calls[key]++
	s.mu.Unlock()
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.URL.Path == CallsPath {
		writeJSON(rw, http.StatusOK, map[string]any{"calls": s.Calls()})
		return
	}
	if r.URL.Path == HostMetadataPath {
		// The unauthenticated discovery document databricks-sdk reads when it
		// starts (Config._resolve_host_metadata); the emulator names only the
		// workspace id, so the client keeps the authentication it was given.
		s.count("GET host-metadata")
		writeJSON(rw, http.StatusOK, map[string]any{"workspace_id": WorkspaceID})
		return
	}
	if s.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.Token {
		s.count("unauthenticated")
		writeErr(rw, fail(http.StatusUnauthorized, "UNAUTHENTICATED", "Invalid access token."))
		return
	}
	for _, rt := range routes {
		m := rt.re.FindStringSubmatch(r.URL.Path)
		if m == nil {
			continue
		}
		s.count(r.Method + " " + rt.name)
		if r.Method != http.MethodGet {
			writeErr(rw, fail(http.StatusMethodNotAllowed, "BAD_REQUEST", "the emulator serves only reads (GET) over REST; %s %s is not served", r.Method, r.URL.Path))
			return
		}
		var out any
		err := s.Store.View(func(w *workspace.Workspace) error {
			var herr error
			out, herr = rt.handler(s, w, r, m)
			return herr
		})
		if err != nil {
			writeErr(rw, err)
			return
		}
		writeJSON(rw, http.StatusOK, out)
		return
	}
	s.count("not-served")
	writeErr(rw, fail(http.StatusNotFound, "ENDPOINT_NOT_FOUND", "No API found for '%s %s' (the emulator serves only the endpoints listed in emulator/README.md)", r.Method, r.URL.Path))
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}

func writeErr(rw http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		var we *workspace.APIError
		if errors.As(err, &we) {
			status := http.StatusBadRequest
			if workspace.IsNotFound(err) {
				status = http.StatusNotFound
			}
			ae = &apiError{status: status, code: we.Code, msg: we.Message}
		} else {
			ae = &apiError{status: http.StatusInternalServerError, code: "INTERNAL_ERROR", msg: err.Error()}
		}
	}
	writeJSON(rw, ae.status, map[string]string{"error_code": ae.code, "message": ae.msg})
}

func query(r *http.Request, name string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return "", fail(http.StatusBadRequest, workspace.CodeInvalidParam, "Missing required field: %s", name)
	}
	return v, nil
}

// Secrets API.

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (s *Server) listScopes(w *workspace.Workspace, _ *http.Request, _ []string) (any, error) {
	names := sortedKeys(w.Scopes)
	scopes := make([]map[string]any, 0, len(names))
	for _, n := range names {
		sc := w.Scopes[n]
		item := map[string]any{"name": sc.Name, "backend_type": sc.BackendType}
		if sc.KeyvaultMetadata != nil {
			item["keyvault_metadata"] = map[string]string{"resource_id": sc.KeyvaultMetadata.ResourceID, "dns_name": sc.KeyvaultMetadata.DNSName}
		}
		scopes = append(scopes, item)
	}
	return map[string]any{"scopes": scopes}, nil
}

// scopeParam is the scope named by the "scope" query parameter.
func scopeParam(w *workspace.Workspace, r *http.Request) (*workspace.Scope, error) {
	name, err := query(r, "scope")
	if err != nil {
		return nil, err
	}
	return w.Scope(name)
}

func (s *Server) listSecrets(w *workspace.Workspace, r *http.Request, _ []string) (any, error) {
	sc, err := scopeParam(w, r)
	if err != nil {
		return nil, err
	}
	keys, _ := w.SecretKeys(sc.Name) // the scope exists: no error
	out := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		if rec, err := w.Secret(sc.Name, k); err == nil {
			out = append(out, map[string]any{"key": k, "last_updated_timestamp": rec.LastUpdatedTimestamp})
		}
	}
	return map[string]any{"secrets": out}, nil
}

func (s *Server) listACLs(w *workspace.Workspace, r *http.Request, _ []string) (any, error) {
	sc, err := scopeParam(w, r)
	if err != nil {
		return nil, err
	}
	principals := sortedKeys(sc.ACLs)
	items := make([]map[string]string, 0, len(principals))
	for _, p := range principals {
		items = append(items, map[string]string{"principal": p, "permission": sc.ACLs[p]})
	}
	return map[string]any{"items": items}, nil
}

func (s *Server) getACL(w *workspace.Workspace, r *http.Request, _ []string) (any, error) {
	scope, err := query(r, "scope")
	if err != nil {
		return nil, err
	}
	principal, err := query(r, "principal")
	if err != nil {
		return nil, err
	}
	perm, err := w.ACL(scope, principal)
	if err != nil {
		return nil, err
	}
	return map[string]string{"principal": principal, "permission": perm}, nil
}

// getSecretValue is counted and refused: the emulated workspace holds digests only.
func (s *Server) getSecretValue(_ *workspace.Workspace, _ *http.Request, _ []string) (any, error) {
	return nil, fail(http.StatusBadRequest, workspace.CodeBadRequest, "the workspace emulator holds no secret value (only digests); GetSecret is refused")
}

// SCIM.

func scimUser(name, display string) map[string]any {
	if display == "" {
		display = name
	}
	return map[string]any{"id": workspace.PrincipalID(workspace.PrincipalUser, name), "userName": name, "displayName": display,
		"active": true, "schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}}
}

func scimSP(appID, display string) map[string]any {
	if display == "" {
		display = appID
	}
	return map[string]any{"id": workspace.PrincipalID(workspace.PrincipalServicePrincipal, appID), "applicationId": appID,
		"displayName": display, "active": true, "schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"}}
}

func scimGroup(w *workspace.Workspace, name string) map[string]any {
	members := []map[string]string{}
	for _, m := range w.GroupMembers(name) {
		kind := w.PrincipalKind(m)
		display := m
		if kind == workspace.PrincipalServicePrincipal {
			if sp := w.ServicePrincipals[strings.ToLower(m)]; sp != nil && sp.DisplayName != "" {
				display = sp.DisplayName
			}
		} else if kind == workspace.PrincipalUser {
			if u := w.Users[strings.ToLower(m)]; u != nil && u.DisplayName != "" {
				display = u.DisplayName
			}
		}
		id := workspace.PrincipalID(kind, m)
		members = append(members, map[string]string{"value": id, "display": display, "$ref": kind + "/" + id})
	}
	return map[string]any{"id": workspace.PrincipalID(workspace.PrincipalGroup, name), "displayName": name, "members": members,
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}}
}

func (s *Server) scimAll(w *workspace.Workspace, kind string) []map[string]any {
	var out []map[string]any
	switch kind {
	case workspace.PrincipalUser:
		for _, n := range w.UserNames() {
			display := ""
			if u := w.Users[n]; u != nil {
				display = u.DisplayName
			}
			out = append(out, scimUser(n, display))
		}
	case workspace.PrincipalServicePrincipal:
		ids := make([]string, 0, len(w.ServicePrincipals))
		for n := range w.ServicePrincipals {
			ids = append(ids, n)
		}
		sort.Strings(ids)
		for _, n := range ids {
			out = append(out, scimSP(n, w.ServicePrincipals[n].DisplayName))
		}
	case workspace.PrincipalGroup:
		for _, n := range w.GroupNames() {
			out = append(out, scimGroup(w, n))
		}
	}
	return out
}

// maxSCIMCount is the largest page the emulator returns (the SDK asks for 10000).
const maxSCIMCount = 10000

func (s *Server) scimList(w *workspace.Workspace, r *http.Request, m []string) (any, error) {
	q := r.URL.Query()
	if f := q.Get("filter"); f != "" {
		return nil, fail(http.StatusBadRequest, workspace.CodeInvalidParam, "the workspace emulator does not filter SCIM lists (filter %q)", f)
	}
	start, count := 1, maxSCIMCount
	if v := q.Get("startIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fail(http.StatusBadRequest, workspace.CodeInvalidParam, "startIndex must be a number >= 1")
		}
		start = n
	}
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fail(http.StatusBadRequest, workspace.CodeInvalidParam, "count must be a number >= 0")
		}
		count = min(n, maxSCIMCount)
	}
	all := s.scimAll(w, m[1])
	from := min(start-1, len(all))
	to := min(from+count, len(all))
	page := all[from:to]
	if page == nil {
		page = []map[string]any{}
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
		"totalResults": len(all), "startIndex": start, "itemsPerPage": len(page), "Resources": page}, nil
}

func (s *Server) scimGet(w *workspace.Workspace, _ *http.Request, m []string) (any, error) {
	for _, res := range s.scimAll(w, m[1]) {
		if res["id"] == m[2] {
			return res, nil
		}
	}
	return nil, fail(http.StatusNotFound, workspace.CodeDoesNotExist, "%s with id %s not found", strings.TrimSuffix(m[1], "s"), m[2])
}

func (s *Server) me(w *workspace.Workspace, _ *http.Request, _ []string) (any, error) {
	if w.PrincipalKind(s.Identity) == workspace.PrincipalServicePrincipal {
		return scimSP(s.Identity, ""), nil
	}
	return scimUser(s.Identity, ""), nil
}

// Unity Catalog.

func rfc3339(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano)
}

func ucSecretJSON(sec *workspace.UCSecret) map[string]any {
	out := map[string]any{"catalog_name": sec.CatalogName, "schema_name": sec.SchemaName, "name": sec.Name,
		"full_name": sec.FullName, "owner": sec.Owner, "effective_owner": sec.Owner, "created_by": sec.CreatedBy,
		"updated_by": sec.UpdatedBy, "create_time": rfc3339(sec.CreateTime), "update_time": rfc3339(sec.UpdateTime)}
	if sec.Comment != "" {
		out["comment"] = sec.Comment
	}
	if sec.ExpireTime != "" {
		out["expire_time"] = sec.ExpireTime
	}
	return out
}

func (s *Server) listUCSecrets(w *workspace.Workspace, r *http.Request, _ []string) (any, error) {
	q := r.URL.Query()
	catalog, schema := strings.ToLower(q.Get("catalog_name")), strings.ToLower(q.Get("schema_name"))
	if (catalog == "") != (schema == "") {
		return nil, fail(http.StatusBadRequest, workspace.CodeInvalidParam, "catalog_name and schema_name must be given together")
	}
	size := 1000
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fail(http.StatusBadRequest, workspace.CodeInvalidParam, "page_size must be a number >= 0")
		}
		if n > 0 {
			size = min(n, 1000)
		}
	}
	var names []string
	for full, sec := range w.UCSecrets {
		if catalog == "" || (sec.CatalogName == catalog && sec.SchemaName == schema) {
			names = append(names, full)
		}
	}
	sort.Strings(names)
	from := 0
	if tok := q.Get("page_token"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			return nil, fail(http.StatusBadRequest, workspace.CodeInvalidParam, "invalid page_token")
		}
		from = min(n, len(names))
	}
	to := min(from+size, len(names))
	out := map[string]any{}
	list := make([]map[string]any, 0, to-from)
	for _, n := range names[from:to] {
		list = append(list, ucSecretJSON(w.UCSecrets[n]))
	}
	out["secrets"] = list
	if to < len(names) {
		out["next_page_token"] = strconv.Itoa(to)
	}
	return out, nil
}

func (s *Server) getUCSecret(w *workspace.Workspace, r *http.Request, m []string) (any, error) {
	if v := r.URL.Query().Get("include_value"); v == "true" {
		return nil, fail(http.StatusBadRequest, workspace.CodeBadRequest, "the workspace emulator holds no secret value (only digests); include_value is refused")
	}
	sec, err := w.UCSecretByName(m[1])
	if err != nil {
		return nil, err
	}
	return ucSecretJSON(sec), nil
}

func (s *Server) permissions(w *workspace.Workspace, _ *http.Request, m []string) (any, error) {
	securable, full := m[1], m[2]
	if _, ok := workspace.Privileges[securable]; !ok {
		return nil, fail(http.StatusBadRequest, workspace.CodeInvalidParam, "securable type %q is not served by the emulator", securable)
	}
	if err := w.SecurableExists(securable, full); err != nil {
		return nil, err
	}
	list := []map[string]any{}
	for _, a := range w.GrantsOn(securable, full) {
		list = append(list, map[string]any{"principal": a.Principal, "privileges": a.Privileges})
	}
	return map[string]any{"privilege_assignments": list}, nil
}

func (s *Server) getCatalog(w *workspace.Workspace, _ *http.Request, m []string) (any, error) {
	c, err := w.Catalog(m[1])
	if err != nil {
		return nil, err
	}
	return map[string]any{"name": c.Name, "full_name": c.Name, "owner": c.Owner, "created_at": c.CreatedMs}, nil
}

func (s *Server) getSchema(w *workspace.Workspace, _ *http.Request, m []string) (any, error) {
	sc, err := w.Schema(m[1])
	if err != nil {
		return nil, err
	}
	return map[string]any{"name": sc.Name, "catalog_name": sc.CatalogName, "full_name": sc.FullName, "owner": sc.Owner,
		"created_by": sc.CreatedBy, "created_at": sc.CreatedMs}, nil
}

// Model Serving.

// snake converts the Pulumi (camelCase) names of a stored endpoint config to
// the REST API's snake_case; the keys of environment_vars are names, kept.
func snake(v any, keepKeys bool) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			nk := k
			if !keepKeys {
				nk = snakeName(k)
			}
			out[nk] = snake(x, nk == "environment_vars")
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = snake(x, false)
		}
		return out
	}
	return v
}

func snakeName(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && s[i-1] >= 'a' && s[i-1] <= 'z' || i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
				b.WriteByte('_')
			}
			b.WriteRune(r + ('a' - 'A'))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func endpointJSON(e *workspace.ServingEndpoint) map[string]any {
	out := map[string]any{"name": e.Name, "id": e.ID, "creator": e.Creator, "creation_timestamp": e.CreatedMs,
		"last_updated_timestamp": e.UpdatedMs, "state": map[string]string{"ready": "READY", "config_update": "NOT_UPDATING"}}
	if e.Config != nil {
		out["config"] = snake(e.Config, false)
	}
	return out
}

func (s *Server) listEndpoints(w *workspace.Workspace, _ *http.Request, _ []string) (any, error) {
	names := sortedKeys(w.ServingEndpoints)
	list := make([]map[string]any, 0, len(names))
	for _, n := range names {
		list = append(list, endpointJSON(w.ServingEndpoints[n]))
	}
	return map[string]any{"endpoints": list}, nil
}

func (s *Server) getEndpoint(w *workspace.Workspace, _ *http.Request, m []string) (any, error) {
	e := w.ServingEndpoints[m[1]]
	if e == nil {
		return nil, fail(http.StatusNotFound, workspace.CodeDoesNotExist, "Endpoint with name '%s' does not exist.", m[1])
	}
	return endpointJSON(e), nil
}
