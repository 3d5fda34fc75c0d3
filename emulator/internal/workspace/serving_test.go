package workspace

import (
	"strings"
	"testing"
)

func TestServingEndpointChecksReferencesAndRead(t *testing.T) {
	w := New()
	mustScope(t, w, ScopeSpec{Name: "llm", Creator: platform})
	if _, err := w.PutSecret("llm", "openai", Digest("sk-test"), 7, 1); err != nil {
		t.Fatal(err)
	}
	ref := "{{secrets/llm/openai}}"
	_, err := w.PutServingEndpoint("chat", app, []string{ref}, nil, true, 1)
	wantCode(t, err, CodePermissionDenied)
	if !strings.Contains(err.Error(), "does not have READ permission on secret scope llm") {
		t.Errorf("message: %v", err)
	}
	// The creator of the scope holds MANAGE: enough.
	if _, err := w.PutServingEndpoint("chat", platform, []string{ref}, nil, true, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.PutACL("llm", app, "READ"); err != nil {
		t.Fatal(err)
	}
	e, err := w.PutServingEndpoint("chat2", app, []string{ref, ref}, nil, true, 2)
	if err != nil || e.Creator != app || len(e.SecretReferences) != 1 || e.ID == "" {
		t.Fatalf("%+v %v", e, err)
	}
	_, err = w.PutServingEndpoint("chat2", app, nil, nil, true, 2)
	wantCode(t, err, CodeAlreadyExists)
	// A missing secret, a missing scope.
	_, err = w.PutServingEndpoint("chat2", app, []string{"{{secrets/llm/none}}"}, nil, false, 3)
	wantCode(t, err, CodeDoesNotExist)
	_, err = w.PutServingEndpoint("chat2", app, []string{"{{secrets/nope/openai}}"}, nil, false, 3)
	wantCode(t, err, CodeDoesNotExist)
	// READ through the users group.
	if err := w.DeleteACL("llm", app); err != nil {
		t.Fatal(err)
	}
	_, err = w.PutServingEndpoint("chat2", app, []string{ref}, nil, false, 4)
	wantCode(t, err, CodePermissionDenied)
	if err := w.PutACL("llm", "users", "READ"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.PutServingEndpoint("chat2", app, []string{ref}, nil, false, 4); err != nil {
		t.Error(err)
	}
	if err := w.DeleteServingEndpoint("chat2"); err != nil || !IsNotFound(w.DeleteServingEndpoint("chat2")) {
		t.Errorf("delete: %v", err)
	}
}

func TestModelProviderServiceChecksUCSecretReferences(t *testing.T) {
	w := seeded(t)
	if _, err := w.CreateUCSecret(ucSpec("openai_api_key", "sk-test"), platform, 1); err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct{ sec, full, priv string }{{SecurableCatalog, "main", "USE_CATALOG"}, {SecurableSchema, "main.llm", "USE_SCHEMA"}} {
		if _, err := w.SetPrincipalGrant(g.sec, g.full, app, []string{g.priv}, platform); err != nil {
			t.Fatal(err)
		}
	}
	ref := "secrets/main.llm.openai_api_key"
	_, err := w.PutModelProviderService("schemas/main.llm", "openai", app, []string{ref}, nil, true, 1)
	wantCode(t, err, CodePermissionDenied)
	if !strings.Contains(err.Error(), "REFERENCE SECRET on Secret 'main.llm.openai_api_key'") {
		t.Errorf("message: %v", err)
	}
	if _, err := w.SetAllGrants(SecurableSecret, "main.llm.openai_api_key", []Assignment{{Principal: app, Privileges: []string{"REFERENCE_SECRET"}}}, platform); err != nil {
		t.Fatal(err)
	}
	s, err := w.PutModelProviderService("schemas/main.llm", "openai", app, []string{ref}, nil, true, 2)
	if err != nil || s.Name != "model-provider-services/main.llm.openai" || s.Owner != app {
		t.Fatalf("%+v %v", s, err)
	}
	_, err = w.PutModelProviderService("schemas/main.llm", "openai", app, []string{"secrets/main.llm.none"}, nil, false, 3)
	wantCode(t, err, CodeDoesNotExist)
	_, err = w.PutModelProviderService("schemas/main.nope", "x", platform, nil, nil, true, 3)
	wantCode(t, err, CodeSchemaDoesNotExist)
	_, err = w.PutModelProviderService("schemas/main.llm", "y", platform, []string{"main.llm.openai_api_key"}, nil, true, 3)
	wantCode(t, err, CodeInvalidParam)
	// A schema that holds a service is not empty either.
	wantCode(t, w.DeleteSchema("main.llm", false, platform), CodeSchemaNotEmpty)
	if err := w.DeleteModelProviderService(s.Name, app); err != nil {
		t.Fatal(err)
	}
}
