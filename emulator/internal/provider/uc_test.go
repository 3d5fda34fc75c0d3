package provider

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"llmkeyvault/emulator/internal/workspace"
)

const (
	ucURN     = "urn:pulumi:dev::proj::llmkeyvault:index:LlmKeyVault$databricks:index/secretUc:SecretUc::openai"
	grantsURN = "urn:pulumi:dev::proj::llmkeyvault:index:LlmKeyVault$databricks:index/grants:Grants::openai"
	grantURN  = "urn:pulumi:dev::proj::llmkeyvault:index:LlmKeyVault$databricks:index/grant:Grant::use-schema"
	schemaURN = "urn:pulumi:dev::proj::llmkeyvault:index:LlmKeyVault$databricks:index/schema:Schema::llm"
	platform  = "platform@example.com"
	appSP     = "11111111-2222-3333-4444-555555555555"
)

// as returns a databricks server configured with the given provider configuration.
func as(t *testing.T, vars map[string]string) *Server {
	t.Helper()
	s := NewServer(Databricks, nil)
	v := map[string]string{}
	for k, x := range vars {
		v["databricks:config:"+k] = x
	}
	if _, err := s.Configure(ctx, &pulumirpc.ConfigureRequest{AcceptSecrets: true, Variables: v}); err != nil {
		t.Fatal(err)
	}
	return s
}

func seed(t *testing.T, full, owner string) {
	t.Helper()
	changeWorkspace(t, func(w *workspace.Workspace) error { _, err := w.SeedSchema(full, owner, 1); return err })
}

// platformWith sets up a fresh workspace holding schema (owned by the
// platform user) and returns a databricks server signed in as that user.
func platformWith(t *testing.T, schema string) *Server {
	t.Helper()
	setup(t)
	seed(t, schema, platform)
	return as(t, map[string]string{"username": platform})
}

func tryCreate(s *Server, urn string, ins map[string]any) (string, resource.PropertyMap, error) {
	pm := resource.NewPropertyMapFromMap(ins)
	st, _ := plugin.MarshalProperties(pm, plugin.MarshalOptions{KeepSecrets: true})
	resp, err := s.Create(ctx, &pulumirpc.CreateRequest{Urn: urn, Properties: st})
	if err != nil {
		return "", nil, err
	}
	m, _ := plugin.UnmarshalProperties(resp.Properties, plugin.MarshalOptions{KeepSecrets: true})
	return resp.Id, m, nil
}

func update(t *testing.T, s *Server, urn, id string, olds resource.PropertyMap, news map[string]any) (resource.PropertyMap, error) {
	t.Helper()
	ost, _ := plugin.MarshalProperties(olds, plugin.MarshalOptions{KeepSecrets: true})
	resp, err := s.Update(ctx, &pulumirpc.UpdateRequest{Urn: urn, Id: id, Olds: ost, OldInputs: ost, News: props(t, news)})
	if err != nil {
		return nil, err
	}
	return toMap(t, resp.Properties), nil
}

func read(t *testing.T, s *Server, urn, id string, state, inputs resource.PropertyMap) *pulumirpc.ReadResponse {
	t.Helper()
	sst, _ := plugin.MarshalProperties(state, plugin.MarshalOptions{KeepSecrets: true})
	ist, _ := plugin.MarshalProperties(inputs, plugin.MarshalOptions{KeepSecrets: true})
	resp, err := s.Read(ctx, &pulumirpc.ReadRequest{Urn: urn, Id: id, Properties: sst, Inputs: ist})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func diffOf(t *testing.T, s *Server, urn string, olds, news map[string]any) *pulumirpc.DiffResponse {
	t.Helper()
	resp, err := s.Diff(ctx, &pulumirpc.DiffRequest{Urn: urn, OldInputs: props(t, olds), Olds: props(t, olds), News: props(t, news)})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestIdentityFromProviderConfiguration(t *testing.T) {
	setup(t)
	for _, c := range []struct {
		vars map[string]string
		want string
	}{
		{nil, DefaultIdentity},
		{map[string]string{"token": "dapi-test"}, DefaultIdentity},
		{map[string]string{"username": "alice@example.com"}, "alice@example.com"},
		{map[string]string{"azureClientId": "az-app", "username": "alice@example.com"}, "az-app"},
		{map[string]string{"clientId": appSP, "azureClientId": "az-app"}, appSP},
	} {
		if got := as(t, c.vars).identity(); got != c.want {
			t.Errorf("%v: identity %q, want %q", c.vars, got, c.want)
		}
	}
	// The identity creates scopes: it holds MANAGE on them.
	sp := as(t, map[string]string{"clientId": appSP})
	create(t, sp, scopeURN, check(t, sp, scopeURN, nil, props(t, map[string]any{"name": "app-keys"})))
	if d := dump(t); d.Scopes["app-keys"].Creator != appSP || d.ACLs["app-keys"][appSP] != "MANAGE" {
		t.Errorf("creator: %+v", d.Scopes["app-keys"])
	}
}

func TestSecretUcLifecycle(t *testing.T) {
	db := platformWith(t, "main.llm")
	app := as(t, map[string]string{"clientId": appSP})
	in := map[string]any{"catalogName": "main", "schemaName": "llm", "name": "openai_api_key", "value": "sk-test-one",
		"expireTime": "2027-01-31T00:00:00Z"}

	// Check: the value comes back secret; name and value are required.
	ins := toMap(t, check(t, db, ucURN, nil, props(t, in)))
	if !ins["value"].IsSecret() {
		t.Error("value must be secret after Check")
	}
	resp, err := db.Check(ctx, &pulumirpc.CheckRequest{Urn: ucURN, News: props(t, map[string]any{"catalogName": "main", "schemaName": "llm"})})
	if err != nil || len(resp.Failures) != 2 {
		t.Errorf("missing name and value: %v %v", resp.GetFailures(), err)
	}

	// Another identity without rights on the schema is refused.
	if _, _, err := tryCreate(app, ucURN, in); err == nil || !strings.Contains(err.Error(), "PERMISSION_DENIED: User does not have USE CATALOG on Catalog 'main'.") {
		t.Fatalf("want a permission error, got %v", err)
	}
	// A missing schema.
	bad := map[string]any{"catalogName": "main", "schemaName": "nope", "name": "k", "value": "sk-test"}
	if _, _, err := tryCreate(db, ucURN, bad); err == nil || !strings.Contains(err.Error(), "SCHEMA_DOES_NOT_EXIST: Schema 'main.nope' does not exist.") {
		t.Fatalf("want schema error, got %v", err)
	}

	id, outs := create(t, db, ucURN, props(t, in))
	// The bridged resource has no id attribute: its Pulumi id is "missing ID".
	const full = "main.llm.openai_api_key"
	if id != "missing ID" || outs["fullName"].StringValue() != full || outs["owner"].StringValue() != platform ||
		outs["createdBy"].StringValue() != platform || !outs["value"].IsSecret() || outs["expireTime"].StringValue() != "2027-01-31T00:00:00Z" {
		t.Fatalf("%s %v", id, outs)
	}
	if _, ok := outs["effectiveValue"]; ok {
		t.Error("effectiveValue is never returned")
	}
	// Unique per schema.
	if _, _, err := tryCreate(db, ucURN, map[string]any{"catalogName": "main", "schemaName": "llm", "name": "OPENAI_API_KEY", "value": "x"}); err == nil {
		t.Error("a second secret of the same name")
	}

	// A new value updates in place: no replacement, same id, new digest.
	rotated := map[string]any{"catalogName": "main", "schemaName": "llm", "name": "openai_api_key", "value": "sk-test-two",
		"expireTime": "2027-01-31T00:00:00Z"}
	if r := diffOf(t, db, ucURN, in, rotated); r.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(r.Replaces) != 0 ||
		strings.Join(r.Diffs, ",") != "value" {
		t.Errorf("rotation diff: %v", r)
	}
	if r := diffOf(t, db, ucURN, in, map[string]any{"catalogName": "main", "schemaName": "other", "name": "openai_api_key", "value": "sk-test-one"}); strings.Join(r.Replaces, ",") != "schemaName" {
		t.Errorf("moving schema replaces: %v", r)
	}
	outs2, err := update(t, db, ucURN, id, outs, rotated)
	if err != nil {
		t.Fatal(err)
	}
	d := dump(t)
	if d.UCSecrets[full].ValueSha256 != workspace.Digest("sk-test-two") || outs2["createTime"].StringValue() != outs["createTime"].StringValue() {
		t.Errorf("after rotation: %+v", d.UCSecrets[full])
	}
	if strings.Contains(mustJSON(t, d), "sk-test") {
		t.Error("a value leaked into the dump")
	}

	// Read on refresh keeps the value from the state; on import there is none.
	r := read(t, db, ucURN, id, outs2, resource.NewPropertyMapFromMap(rotated))
	if got := toMap(t, r.Properties)["value"]; !got.IsSecret() || got.SecretValue().Element.StringValue() != "sk-test-two" {
		t.Errorf("refresh value: %v", got)
	}
	// Import by the full name (the provider's import id).
	r = read(t, db, ucURN, full, nil, nil)
	imp := toMap(t, r.Inputs)
	if _, ok := imp["value"]; ok || imp["name"].StringValue() != "openai_api_key" || imp["catalogName"].StringValue() != "main" {
		t.Errorf("import inputs: %v", imp)
	}

	// Delete, then a second delete is no error.
	del(t, db, ucURN, id, outs2)
	del(t, db, ucURN, id, outs2)
	if len(dump(t).UCSecrets) != 0 {
		t.Error("not deleted")
	}
	if r := read(t, db, ucURN, id, outs2, nil); r.Id != "" {
		t.Error("a deleted secret reads as gone")
	}
}

func TestGrantsAndGrant(t *testing.T) {
	db := platformWith(t, "main.llm")
	_, _ = create(t, db, ucURN, props(t, map[string]any{"catalogName": "main", "schemaName": "llm", "name": "k", "value": "sk-test"}))

	// Someone else's grant on the secret goes when Grants is applied.
	changeWorkspace(t, func(w *workspace.Workspace) error {
		_, err := w.SetPrincipalGrant("secret", "main.llm.k", "stranger", []string{"READ_SECRET"}, platform)
		return err
	})
	if got := dump(t).UCGrants["secret"]["main.llm.k"]; got["stranger"] == nil {
		t.Fatalf("setup: no grant to stranger: %v", got)
	}
	gin := map[string]any{"secret": "main.llm.k", "grants": []any{
		map[string]any{"principal": "Data Scientists", "privileges": []any{"READ_SECRET"}},
		map[string]any{"principal": appSP, "privileges": []any{"read secret", "REFERENCE_SECRET"}},
	}}
	gid, gouts := create(t, db, grantsURN, check(t, db, grantsURN, nil, props(t, gin)))
	if gid != "secret/main.llm.k" {
		t.Errorf("id %s", gid)
	}
	if got := dump(t).UCGrants["secret"]["main.llm.k"]; len(got) != 2 || got["stranger"] != nil ||
		strings.Join(got[appSP], ",") != "READ_SECRET,REFERENCE_SECRET" {
		t.Errorf("grants: %v", got)
	}
	// Reordering, other cases, spaces: no change.
	same := map[string]any{"secret": "main.llm.k", "grants": []any{
		map[string]any{"principal": appSP, "privileges": []any{"REFERENCE_SECRET", "READ_SECRET"}},
		map[string]any{"principal": "data scientists", "privileges": []any{"read_secret"}},
	}}
	if r := diffOf(t, db, grantsURN, gin, same); r.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("set semantics: %v", r)
	}
	// A new reader updates in place; another securable replaces.
	more := map[string]any{"secret": "main.llm.k", "grants": []any{
		map[string]any{"principal": "Data Scientists", "privileges": []any{"READ_SECRET"}},
		map[string]any{"principal": appSP, "privileges": []any{"READ_SECRET", "REFERENCE_SECRET"}},
		map[string]any{"principal": "new-reader", "privileges": []any{"READ_SECRET"}},
	}}
	if r := diffOf(t, db, grantsURN, gin, more); r.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(r.Replaces) != 0 {
		t.Errorf("add a reader: %v", r)
	}
	if r := diffOf(t, db, grantsURN, gin, map[string]any{"secret": "main.llm.other", "grants": gin["grants"]}); strings.Join(r.Replaces, ",") != "secret" {
		t.Errorf("another secret: %v", r)
	}
	gouts, err := update(t, db, grantsURN, gid, gouts, more)
	if err != nil {
		t.Fatal(err)
	}
	if got := dump(t).UCGrants["secret"]["main.llm.k"]; len(got) != 3 {
		t.Errorf("after update: %v", got)
	}
	// Privileges UC refuses on a secret.
	if _, _, err := tryCreate(db, grantsURN, map[string]any{"secret": "main.llm.k", "grants": []any{
		map[string]any{"principal": "x", "privileges": []any{"USE_SCHEMA"}}}}); err == nil ||
		!strings.Contains(err.Error(), "Privilege USE_SCHEMA is not applicable to this entity [secret]") {
		t.Errorf("bad privilege: %v", err)
	}
	// Check: exactly one securable, no other securable kinds.
	resp, _ := db.Check(ctx, &pulumirpc.CheckRequest{Urn: grantsURN, News: props(t, map[string]any{"secret": "a.b.c", "schema": "a.b", "grants": []any{}})})
	resp2, _ := db.Check(ctx, &pulumirpc.CheckRequest{Urn: grantsURN, News: props(t, map[string]any{"table": "a.b.c", "grants": []any{}})})
	if len(resp.Failures) == 0 || len(resp2.Failures) == 0 {
		t.Errorf("securable checks: %v %v", resp.Failures, resp2.Failures)
	}

	// Grant: one principal on the schema, non-authoritative.
	changeWorkspace(t, func(w *workspace.Workspace) error {
		_, err := w.SetPrincipalGrant("schema", "main.llm", "other-team", []string{"USE_SCHEMA"}, platform)
		return err
	})
	one := map[string]any{"schema": "main.llm", "principal": appSP, "privileges": []any{"USE_SCHEMA"}}
	oid, oouts := create(t, db, grantURN, check(t, db, grantURN, nil, props(t, one)))
	if oid != "schema/main.llm/"+appSP {
		t.Errorf("grant id %s", oid)
	}
	if r := diffOf(t, db, grantURN, one, map[string]any{"schema": "main.llm", "principal": "x", "privileges": []any{"USE_SCHEMA"}}); strings.Join(r.Replaces, ",") != "principal" {
		t.Errorf("principal replaces: %v", r)
	}
	if _, _, err := tryCreate(db, grantURN, map[string]any{"catalog": "main", "principal": appSP, "privileges": []any{"READ"}}); err == nil {
		t.Error("READ is no catalog privilege")
	}
	r := read(t, db, grantURN, oid, nil, nil)
	if p := toMap(t, r.Inputs); p["principal"].StringValue() != appSP || p["schema"].StringValue() != "main.llm" {
		t.Errorf("grant import: %v", p)
	}
	del(t, db, grantURN, oid, oouts)
	if got := dump(t).UCGrants["schema"]["main.llm"]; len(got) != 1 || got["other-team"] == nil {
		t.Errorf("deleting a Grant leaves the other principals: %v", got)
	}

	// Refresh reads the grants back (import has no state).
	r = read(t, db, grantsURN, gid, nil, nil)
	if g := toMap(t, r.Inputs); g["secret"].StringValue() != "main.llm.k" || len(g["grants"].ArrayValue()) != 3 {
		t.Errorf("grants import: %v", g)
	}
	del(t, db, grantsURN, gid, gouts)
	if got := dump(t).UCGrants["secret"]; len(got) != 0 {
		t.Errorf("Grants delete removes every grant: %v", got)
	}
	if r := read(t, db, grantsURN, gid, gouts, nil); r.Id != "" {
		t.Error("no grants reads as gone")
	}
}

func TestSchemaResource(t *testing.T) {
	db := platformWith(t, "main.default")
	in := map[string]any{"catalogName": "main", "name": "llm_keys", "comment": "keys"}
	id, outs := create(t, db, schemaURN, check(t, db, schemaURN, nil, props(t, in)))
	if id != "main.llm_keys" || outs["owner"].StringValue() != platform || outs["schemaId"].StringValue() == "" {
		t.Fatalf("%s %v", id, outs)
	}
	if r := diffOf(t, db, schemaURN, in, map[string]any{"catalogName": "MAIN", "name": "LLM_KEYS", "comment": "keys"}); r.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("names compare without case: %v", r)
	}
	if r := diffOf(t, db, schemaURN, in, map[string]any{"catalogName": "main", "name": "llm_keys", "comment": "other"}); len(r.Replaces) != 0 || r.Changes != pulumirpc.DiffResponse_DIFF_SOME {
		t.Errorf("comment in place: %v", r)
	}
	if _, _, err := tryCreate(db, schemaURN, map[string]any{"catalogName": "nope", "name": "x"}); err == nil || !strings.Contains(err.Error(), "CATALOG_DOES_NOT_EXIST") {
		t.Errorf("missing catalog: %v", err)
	}
	_, sec := create(t, db, ucURN, props(t, map[string]any{"catalogName": "main", "schemaName": "llm_keys", "name": "k", "value": "sk-test"}))
	_, err := db.Delete(ctx, &pulumirpc.DeleteRequest{Urn: schemaURN, Id: id, Properties: props(t, in)})
	if err == nil || !strings.Contains(err.Error(), "SCHEMA_NOT_EMPTY") {
		t.Fatalf("deleting a schema with secrets: %v", err)
	}
	del(t, db, ucURN, "missing ID", sec)
	del(t, db, schemaURN, id, outs)
	if _, ok := dump(t).Schemas["main.llm_keys"]; ok {
		t.Error("schema not deleted")
	}
	// SCHEMA_DOES_NOT_EXIST is a 404: a second delete is no error, a read is gone.
	del(t, db, schemaURN, id, outs)
	if r := read(t, db, schemaURN, id, outs, nil); r.Id != "" {
		t.Error("a deleted schema reads as gone")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
