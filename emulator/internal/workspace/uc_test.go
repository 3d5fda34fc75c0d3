package workspace

import (
	"reflect"
	"strings"
	"testing"
)

const (
	platform = "platform-sp"
	app      = "11111111-2222-3333-4444-555555555555"
)

func seeded(t *testing.T) *Workspace {
	t.Helper()
	w := New()
	if _, err := w.SeedSchema("Main.LLM", platform, 1); err != nil {
		t.Fatal(err)
	}
	return w
}

func ucSpec(name, value string) UCSecretSpec {
	return UCSecretSpec{CatalogName: "main", SchemaName: "llm", Name: name, ValueSha256: Digest(value), ValueLen: len(value)}
}

func TestSeedSchemaIsLowerCaseOwnedAndIdempotent(t *testing.T) {
	w := seeded(t)
	s, err := w.Schema("MAIN.llm")
	if err != nil || s.Owner != platform || !s.Seeded || w.Catalogs["main"].Owner != platform {
		t.Fatalf("%+v %v", s, err)
	}
	if _, err := w.SeedSchema("main.llm", "someone-else", 2); err != nil || w.Schemas["main.llm"].Owner != platform {
		t.Errorf("reseeding changed the owner: %v", err)
	}
	for _, bad := range []string{"main", "a.b.c", "a b.c", ".x"} {
		if _, err := w.SeedSchema(bad, platform, 1); err == nil {
			t.Errorf("%q seeded", bad)
		}
	}
}

func TestCreateUCSecretNeedsSchemaAndRights(t *testing.T) {
	w := seeded(t)
	_, err := w.CreateUCSecret(UCSecretSpec{CatalogName: "main", SchemaName: "nope", Name: "k", ValueSha256: Digest("v"), ValueLen: 1}, platform, 1)
	wantCode(t, err, CodeSchemaDoesNotExist)
	_, err = w.CreateUCSecret(UCSecretSpec{CatalogName: "other", SchemaName: "llm", Name: "k", ValueSha256: Digest("v"), ValueLen: 1}, platform, 1)
	wantCode(t, err, CodeCatalogDoesNotExist)

	// Another identity needs USE_CATALOG, USE_SCHEMA and CREATE_SECRET.
	_, err = w.CreateUCSecret(ucSpec("openai_api_key", "sk-test-1"), app, 1)
	wantCode(t, err, CodePermissionDenied)
	if !strings.Contains(err.Error(), "User does not have USE CATALOG on Catalog 'main'.") {
		t.Errorf("message: %v", err)
	}
	if _, err := w.SetPrincipalGrant(SecurableCatalog, "main", app, []string{"use catalog"}, platform); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SetPrincipalGrant(SecurableSchema, "main.llm", strings.ToUpper(app), []string{"USE_SCHEMA"}, platform); err != nil {
		t.Fatal(err)
	}
	_, err = w.CreateUCSecret(ucSpec("openai_api_key", "sk-test-1"), app, 1)
	if err == nil || !strings.Contains(err.Error(), "CREATE SECRET on Schema 'main.llm'") {
		t.Fatalf("want CREATE SECRET refusal, got %v", err)
	}
	if _, err := w.SetPrincipalGrant(SecurableSchema, "main.llm", app, []string{"USE_SCHEMA", "CREATE_SECRET"}, platform); err != nil {
		t.Fatal(err)
	}
	s, err := w.CreateUCSecret(ucSpec("OpenAI_API_Key", "sk-test-1"), app, 5)
	if err != nil {
		t.Fatal(err)
	}
	if s.FullName != "main.llm.openai_api_key" || s.Owner != app || s.CreatedBy != app || s.ValueSha256 != Digest("sk-test-1") {
		t.Errorf("%+v", s)
	}
	// Names are unique per schema, whatever their case.
	_, err = w.CreateUCSecret(ucSpec("OPENAI_API_KEY", "sk-test-2"), platform, 6)
	wantCode(t, err, CodeAlreadyExists)
	// The schema owner may create without grants.
	if _, err := w.CreateUCSecret(ucSpec("anthropic_api_key", "sk-test-3"), platform, 7); err != nil {
		t.Error(err)
	}
}

func TestUCSecretFieldRules(t *testing.T) {
	w := seeded(t)
	for name, spec := range map[string]UCSecretSpec{
		"empty value":   ucSpec("a", ""),
		"too big":       {CatalogName: "main", SchemaName: "llm", Name: "a", ValueLen: MaxUCSecretValue + 1},
		"bad name":      ucSpec("a.b", "v"),
		"bad expiry":    {CatalogName: "main", SchemaName: "llm", Name: "a", ValueSha256: Digest("v"), ValueLen: 1, ExpireTime: "2027-13-01"},
		"space in name": ucSpec("a b", "v"),
	} {
		if _, err := w.CreateUCSecret(spec, platform, 1); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	ok := ucSpec("a", "v")
	ok.ExpireTime = "2027-01-31T00:00:00Z"
	if _, err := w.CreateUCSecret(ok, platform, 1); err != nil {
		t.Error(err)
	}
}

func TestUpdateUCSecretInPlaceOnlyByItsOwner(t *testing.T) {
	w := seeded(t)
	if _, err := w.CreateUCSecret(ucSpec("k", "sk-test-old"), platform, 1); err != nil {
		t.Fatal(err)
	}
	// WRITE_SECRET is not enough for the Update API: only the owner updates.
	if _, err := w.SetAllGrants(SecurableSecret, "main.llm.k", []Assignment{{Principal: app, Privileges: []string{"WRITE_SECRET", "MANAGE"}}}, platform); err != nil {
		t.Fatal(err)
	}
	_, err := w.UpdateUCSecret("main.llm.k", ucSpec("k", "sk-test-new"), app, 2)
	wantCode(t, err, CodePermissionDenied)
	s, err := w.UpdateUCSecret("MAIN.LLM.K", ucSpec("k", "sk-test-new"), strings.ToUpper(platform), 2)
	if err != nil || s.ValueSha256 != Digest("sk-test-new") || s.CreateTime != 1 || s.UpdateTime != 2 || s.Owner != platform {
		t.Fatalf("%+v %v", s, err)
	}
	// Handing ownership away: the former owner can no longer rotate.
	spec := ucSpec("k", "sk-test-new")
	spec.Owner = app
	if _, err := w.UpdateUCSecret("main.llm.k", spec, platform, 3); err != nil || w.UCSecrets["main.llm.k"].Owner != app {
		t.Fatalf("owner transfer: %v", err)
	}
	_, err = w.UpdateUCSecret("main.llm.k", ucSpec("k", "sk-test-3"), platform, 4)
	wantCode(t, err, CodePermissionDenied)
}

func TestGrantsAreAuthoritativeGrantIsPerPrincipal(t *testing.T) {
	w := seeded(t)
	if _, err := w.CreateUCSecret(ucSpec("k", "sk-test"), platform, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SetPrincipalGrant(SecurableSecret, "main.llm.k", "outsider", []string{"READ_SECRET"}, platform); err != nil {
		t.Fatal(err)
	}
	got, err := w.SetAllGrants(SecurableSecret, "main.llm.k", []Assignment{
		{Principal: "Data Scientists", Privileges: []string{"read secret"}},
		{Principal: "data scientists", Privileges: []string{"REFERENCE_SECRET"}},
		{Principal: app, Privileges: []string{"READ_SECRET"}},
	}, platform)
	if err != nil {
		t.Fatal(err)
	}
	want := []Assignment{{Principal: app, Privileges: []string{"READ_SECRET"}},
		{Principal: "Data Scientists", Privileges: []string{"READ_SECRET", "REFERENCE_SECRET"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Grants replaced every grant, principals merged without case:\n got %+v\nwant %+v", got, want)
	}
	// Grant touches one principal only.
	if _, err := w.SetPrincipalGrant(SecurableSchema, "main.llm", "other-team", []string{"USE_SCHEMA"}, platform); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SetPrincipalGrant(SecurableSchema, "main.llm", app, []string{"USE_SCHEMA"}, platform); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SetPrincipalGrant(SecurableSchema, "main.llm", app, nil, platform); err != nil {
		t.Fatal(err)
	}
	if g := w.GrantsOn(SecurableSchema, "main.llm"); len(g) != 1 || g[0].Principal != "other-team" {
		t.Errorf("schema grants: %+v", g)
	}
	if _, err := w.PrincipalGrant(SecurableSchema, "main.llm", app); !IsNotFound(err) {
		t.Errorf("removed grant still read: %v", err)
	}
	// Only the privileges UC accepts for the securable type.
	for securable, bad := range map[string]string{SecurableSecret: "USE_SCHEMA", SecurableSchema: "USE_CATALOG", SecurableCatalog: "READ"} {
		full := map[string]string{SecurableSecret: "main.llm.k", SecurableSchema: "main.llm", SecurableCatalog: "main"}[securable]
		_, err := w.SetPrincipalGrant(securable, full, app, []string{bad}, platform)
		wantCode(t, err, CodeInvalidParam)
		if !strings.Contains(err.Error(), "Privilege "+bad+" is not applicable to this entity") {
			t.Errorf("message: %v", err)
		}
	}
	// Granting needs ownership or MANAGE; the securable must exist.
	_, err = w.SetAllGrants(SecurableSecret, "main.llm.k", nil, app)
	wantCode(t, err, CodePermissionDenied)
	_, err = w.SetAllGrants(SecurableSecret, "main.llm.nope", nil, platform)
	wantCode(t, err, CodeDoesNotExist)
	// An empty Grants list removes every grant.
	if _, err := w.SetAllGrants(SecurableSecret, "main.llm.k", nil, platform); err != nil || len(w.GrantsOn(SecurableSecret, "main.llm.k")) != 0 {
		t.Errorf("empty Grants: %v", err)
	}
}

func TestInheritanceAndAccountUsers(t *testing.T) {
	w := seeded(t)
	if _, err := w.CreateUCSecret(ucSpec("k", "sk-test"), platform, 1); err != nil {
		t.Fatal(err)
	}
	if w.CanReference(app, "main.llm.k") {
		t.Fatal("no grant yet")
	}
	if _, err := w.SetPrincipalGrant(SecurableSchema, "main.llm", app, []string{"REFERENCE_SECRET"}, platform); err != nil {
		t.Fatal(err)
	}
	if !w.CanReference(app, "main.llm.k") {
		t.Error("a schema grant is inherited by its secrets")
	}
	if w.Has("someone", SecurableSecret, "main.llm.k", "READ_SECRET") {
		t.Fatal("no grant to someone")
	}
	if _, err := w.SetPrincipalGrant(SecurableCatalog, "main", "Account Users", []string{"ALL_PRIVILEGES"}, platform); err != nil {
		t.Fatal(err)
	}
	if !w.Has("someone", SecurableSecret, "main.llm.k", "READ_SECRET") {
		t.Error("ALL_PRIVILEGES to account users on the catalog reaches everyone's secrets")
	}
}

func TestDeleteSchemaWithSecretsIsRefusedUnlessForced(t *testing.T) {
	w := seeded(t)
	if _, err := w.CreateSchema("main", "Team", "", "", nil, platform, 1); err != nil {
		t.Fatal(err)
	}
	_, err := w.CreateSchema("main", "team", "", "", nil, platform, 1)
	wantCode(t, err, CodeSchemaAlreadyExists)
	_, err = w.CreateSchema("main", "x", "", "", nil, app, 1)
	wantCode(t, err, CodePermissionDenied)
	spec := ucSpec("k", "sk-test")
	spec.SchemaName = "team"
	if _, err := w.CreateUCSecret(spec, platform, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SetAllGrants(SecurableSecret, "main.team.k", []Assignment{{Principal: app, Privileges: []string{"READ_SECRET"}}}, platform); err != nil {
		t.Fatal(err)
	}
	err = w.DeleteSchema("main.team", false, platform)
	wantCode(t, err, CodeSchemaNotEmpty)
	if !strings.Contains(err.Error(), "main.team.k") {
		t.Errorf("message names the secret: %v", err)
	}
	if err := w.DeleteSchema("main.team", true, platform); err != nil {
		t.Fatal(err)
	}
	if len(w.UCSecrets) != 0 || len(w.Grants) != 0 || w.Schemas["main.team"] != nil {
		t.Errorf("forced delete left %+v %+v", w.UCSecrets, w.Grants)
	}
	if err := w.DeleteUCSecret("main.llm.none", platform); !IsNotFound(err) {
		t.Errorf("delete of a missing secret: %v", err)
	}
}

func TestDumpShowsUCDigestsAndGrants(t *testing.T) {
	w := seeded(t)
	if _, err := w.CreateUCSecret(ucSpec("k", "sk-test-dump"), platform, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SetAllGrants(SecurableSecret, "main.llm.k", []Assignment{{Principal: "Readers", Privileges: []string{"READ_SECRET"}}}, platform); err != nil {
		t.Fatal(err)
	}
	d := w.Dump()
	if d.UCSecrets["main.llm.k"].ValueSha256 != Digest("sk-test-dump") || !reflect.DeepEqual(d.Schemas["main.llm"].SecretNames, []string{"k"}) ||
		!d.Schemas["main.llm"].Seeded || d.Schemas["main.llm"].Owner != platform {
		t.Errorf("%+v %+v", d.UCSecrets, d.Schemas)
	}
	if !reflect.DeepEqual(d.UCGrants["secret"]["main.llm.k"], map[string][]string{"Readers": {"READ_SECRET"}}) {
		t.Errorf("grants: %+v", d.UCGrants)
	}
	if err := w.DeleteUCSecret("main.llm.k", platform); err != nil {
		t.Fatal(err)
	}
	if d := w.Dump(); len(d.UCSecrets) != 0 || len(d.UCGrants) != 0 {
		t.Errorf("a deleted secret takes its grants: %+v", d.UCGrants)
	}
}

// A Grant is authoritative for its principal on the securable: setting a list
// removes what else the principal held there, and deleting it (an empty list)
// removes everything; other principals are left alone
// (terraform-provider-databricks catalog/resource_grant.go).
func TestPrincipalGrantReplacesThePrincipalsWholeList(t *testing.T) {
	w := seeded(t)
	if _, err := w.SetPrincipalGrant(SecurableCatalog, "main", "analysts", []string{"BROWSE", "SELECT"}, platform); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SetPrincipalGrant(SecurableCatalog, "main", "others", []string{"BROWSE"}, platform); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SetPrincipalGrant(SecurableCatalog, "main", "Analysts", []string{"USE_CATALOG"}, platform); err != nil {
		t.Fatal(err)
	}
	a, err := w.PrincipalGrant(SecurableCatalog, "main", "analysts")
	if err != nil || strings.Join(a.Privileges, ",") != "USE_CATALOG" {
		t.Errorf("after a Grant of USE_CATALOG: %+v %v", a, err)
	}
	if _, err := w.SetPrincipalGrant(SecurableCatalog, "main", "analysts", nil, platform); err != nil {
		t.Fatal(err)
	}
	if _, err := w.PrincipalGrant(SecurableCatalog, "main", "analysts"); !IsNotFound(err) {
		t.Errorf("a deleted Grant left privileges: %v", err)
	}
	if o, err := w.PrincipalGrant(SecurableCatalog, "main", "others"); err != nil || strings.Join(o.Privileges, ",") != "BROWSE" {
		t.Errorf("another principal changed: %+v %v", o, err)
	}
}
