package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"llmkeyvault/emulator/internal/workspace"
)

func serve(t *testing.T, seed func(w *workspace.Workspace) error) *httptest.Server {
	t.Helper()
	st, err := workspace.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(seed); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(st, "tok", "deployer@emulator.invalid"))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, path string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func TestSCIMPagesAndNestedMembers(t *testing.T) {
	srv := serve(t, func(w *workspace.Workspace) error {
		for _, m := range [][2]string{{"readers", "alice@example.com"}, {"readers", "inner"}, {"inner", "bob@example.com"}, {"inner", "readers"}} {
			if err := w.AddMember(m[0], m[1]); err != nil {
				return err
			}
		}
		return nil
	})
	var page struct {
		TotalResults int              `json:"totalResults"`
		Resources    []map[string]any `json:"Resources"`
	}
	// Groups: admins, inner, readers, users; two per page.
	if code := get(t, srv, "/api/2.0/preview/scim/v2/Groups?startIndex=3&count=2", &page); code != 200 {
		t.Fatalf("status %d", code)
	}
	if page.TotalResults != 4 || len(page.Resources) != 2 || page.Resources[0]["displayName"] != "readers" {
		t.Fatalf("page: %+v", page)
	}
	members := page.Resources[0]["members"].([]any)
	refs := map[string]bool{}
	for _, m := range members {
		refs[m.(map[string]any)["$ref"].(string)[:6]] = true
	}
	if len(members) != 2 || !refs["Users/"] || !refs["Groups"] {
		t.Fatalf("members: %+v", members)
	}
	if get(t, srv, "/api/2.0/preview/scim/v2/Groups?startIndex=5", &page); len(page.Resources) != 0 {
		t.Fatalf("past the end: %+v", page)
	}
	if code := get(t, srv, "/api/2.0/preview/scim/v2/Users?filter=userName+eq+x", nil); code != 400 {
		t.Fatalf("an unsupported filter must be refused, got %d", code)
	}
}

func TestValuesAreNeverServedAndCallsAreCounted(t *testing.T) {
	s := serve(t, func(w *workspace.Workspace) error {
		_, err := w.CreateScope(workspace.ScopeSpec{Name: "llm", Creator: "deployer@emulator.invalid"}, 1)
		return err
	})
	if code := get(t, s, "/api/2.0/secrets/get?scope=llm&key=k", nil); code != 400 {
		t.Fatalf("GetSecret: status %d, want 400", code)
	}
	var acls struct {
		Items []map[string]string `json:"items"`
	}
	if get(t, s, "/api/2.0/secrets/acls/list?scope=llm", &acls); len(acls.Items) != 1 || acls.Items[0]["permission"] != "MANAGE" {
		t.Fatalf("acls: %+v", acls)
	}
	if code := get(t, s, "/api/2.0/secrets/list?scope=nope", nil); code != 404 {
		t.Fatalf("missing scope: status %d", code)
	}
	var calls struct {
		Calls map[string]int64 `json:"calls"`
	}
	get(t, s, CallsPath, &calls)
	if calls.Calls["GET secrets/get"] != 1 || calls.Calls["GET secrets/acls/list"] != 1 {
		t.Fatalf("calls: %+v", calls.Calls)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/2.0/secrets/scopes/list", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("no token: status %d", resp.StatusCode)
	}
}
