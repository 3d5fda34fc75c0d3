package provider

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"llmkeyvault/emulator/internal/workspace"
)

const (
	servingURN = "urn:pulumi:dev::consumer::databricks:index/modelServing:ModelServing::chat"
	mpsURN     = "urn:pulumi:dev::consumer::databricks:index/aiGatewayModelProviderService:AiGatewayModelProviderService::openai"
)

func endpoint(key string, env map[string]any) map[string]any {
	entity := map[string]any{
		"name": "gpt",
		"externalModel": map[string]any{
			"provider": "openai", "name": "gpt-4o", "task": "llm/v1/chat",
			"openaiConfig": map[string]any{"openaiApiKey": key},
		},
	}
	if env != nil {
		entity["environmentVars"] = env
	}
	return map[string]any{"name": "chat", "config": map[string]any{"servedEntities": []any{entity}}}
}

func TestModelServingChecksReferencesAsTheCaller(t *testing.T) {
	setup(t)
	vault := as(t, map[string]string{"username": platform})
	app := as(t, map[string]string{"clientId": appSP})
	create(t, vault, scopeURN, check(t, vault, scopeURN, nil, props(t, map[string]any{"name": "llm"})))
	create(t, vault, secURN, check(t, vault, secURN, nil, props(t, map[string]any{"scope": "llm", "key": "openai", "stringValue": "sk-test-serving"})))

	ref := "{{secrets/llm/openai}}"
	in := endpoint(ref, map[string]any{"OPENAI_API_KEY": ref, "PLAIN": "x",
		"LEAKED": resource.MakeSecret(resource.NewStringProperty("sk-test-in-env"))})
	// The application's identity has no READ on the scope.
	_, _, err := tryCreate(app, servingURN, in)
	if err == nil || !strings.Contains(err.Error(), "PERMISSION_DENIED: Principal "+appSP+" does not have READ permission on secret scope llm") {
		t.Fatalf("want the READ refusal, got %v", err)
	}
	// READ granted by the vault's owner: the endpoint is created, with references only.
	create(t, vault, aclURN, check(t, vault, aclURN, nil, props(t, map[string]any{"scope": "llm", "principal": strings.ToUpper(appSP), "permission": "READ"})))
	id, outs := create(t, app, servingURN, check(t, app, servingURN, nil, props(t, in)))
	if id != "chat" || outs["servingEndpointId"].StringValue() == "" {
		t.Fatalf("%s %v", id, outs)
	}
	d := dump(t)
	if e := d.ServingEndpoints["chat"]; e.Creator != appSP || strings.Join(e.SecretReferences, ",") != ref {
		t.Errorf("endpoint: %+v", e)
	}
	if strings.Contains(mustJSON(t, d), "sk-test") || strings.Contains(mustJSON(t, outs["servingEndpointId"].Mappable()), "sk-test") {
		t.Error("a value was resolved")
	}
	if raw, _ := readFile(dumpPath(t)); strings.Contains(raw, "sk-test") || !strings.Contains(raw, "(secret: sha256 "+workspace.Digest("sk-test-in-env")+")") {
		t.Error("a secret value given in the config must be kept as a digest only")
	}
	// A reference to a missing key fails the update; so does a plain key.
	if _, err := update(t, app, servingURN, id, outs, endpoint("{{secrets/llm/missing}}", nil)); err == nil ||
		!strings.Contains(err.Error(), "RESOURCE_DOES_NOT_EXIST: Secret missing does not exist in scope llm") {
		t.Errorf("missing key: %v", err)
	}
	if _, err := update(t, app, servingURN, id, outs, endpoint("sk-test-plain", nil)); err == nil ||
		!strings.Contains(err.Error(), "openaiConfig.openaiApiKey must be a secret reference") || strings.Contains(err.Error(), "sk-test-plain") {
		t.Errorf("plain key: %v", err)
	}
	// READ removed: the next update is refused.
	st, _ := workspace.OpenFromEnv()
	_ = st.Update(func(w *workspace.Workspace) error { return w.DeleteACL("llm", strings.ToUpper(appSP)) })
	if _, err := update(t, app, servingURN, id, outs, in); err == nil || !strings.Contains(err.Error(), "does not have READ permission") {
		t.Errorf("READ removed: %v", err)
	}
	// Name replaces, config updates in place.
	if r := diffOf(t, app, servingURN, in, endpoint("{{secrets/llm/other}}", nil)); len(r.Replaces) != 0 || r.Changes != pulumirpc.DiffResponse_DIFF_SOME {
		t.Errorf("config in place: %v", r)
	}
	renamed := endpoint(ref, nil)
	renamed["name"] = "chat2"
	if r := diffOf(t, app, servingURN, in, renamed); strings.Join(r.Replaces, ",") != "name" {
		t.Errorf("name replaces: %v", r)
	}
	// Import reads back the config (references only); refresh keeps the state.
	r := read(t, app, servingURN, "chat", nil, nil)
	got := toMap(t, r.Inputs)
	if got["name"].StringValue() != "chat" || !strings.Contains(mustJSON(t, got.Mappable()), ref) {
		t.Errorf("import: %v", got)
	}
	del(t, app, servingURN, id, outs)
	if len(dump(t).ServingEndpoints) != 0 {
		t.Error("not deleted")
	}
	// An external model is the endpoint's only served entity.
	two := endpoint(ref, nil)
	cfg := two["config"].(map[string]any)
	cfg["servedEntities"] = append(cfg["servedEntities"].([]any), map[string]any{"name": "other", "entityName": "m", "entityVersion": "1"})
	if _, _, err := tryCreate(vault, servingURN, two); err == nil || !strings.Contains(err.Error(), "serves exactly one entity") {
		t.Errorf("two entities: %v", err)
	}
	// Unknown provider, missing config block.
	bad := endpoint(ref, nil)
	bad["config"].(map[string]any)["servedEntities"].([]any)[0].(map[string]any)["externalModel"].(map[string]any)["provider"] = "nope"
	if _, _, err := tryCreate(vault, servingURN, bad); err == nil || !strings.Contains(err.Error(), "is not supported") {
		t.Errorf("bad provider: %v", err)
	}
}

func TestModelProviderServiceChecksUCReferences(t *testing.T) {
	setup(t)
	seed(t, "main.llm", platform)
	vault := as(t, map[string]string{"username": platform})
	app := as(t, map[string]string{"clientId": appSP})
	create(t, vault, ucURN, props(t, map[string]any{"catalogName": "main", "schemaName": "llm", "name": "openai_api_key", "value": "sk-test-uc"}))
	for _, g := range []map[string]any{
		{"catalog": "main", "principal": appSP, "privileges": []any{"USE_CATALOG"}},
		{"schema": "main.llm", "principal": appSP, "privileges": []any{"USE_SCHEMA"}},
	} {
		create(t, vault, grantURN, check(t, vault, grantURN, nil, props(t, g)))
	}
	in := map[string]any{"parent": "schemas/main.llm", "modelProviderServiceId": "openai", "config": map[string]any{
		"providerType": "EXTERNAL_MODEL_PROVIDER_TYPE_OPENAI",
		"openai": map[string]any{"direct": map[string]any{"apiKey": map[string]any{
			"secretReference": map[string]any{"name": "secrets/main.llm.openai_api_key"}}}},
	}}
	if _, _, err := tryCreate(app, mpsURN, in); err == nil || !strings.Contains(err.Error(), "User does not have REFERENCE SECRET on Secret 'main.llm.openai_api_key'.") {
		t.Fatalf("want REFERENCE SECRET refusal: %v", err)
	}
	create(t, vault, grantsURN, check(t, vault, grantsURN, nil, props(t, map[string]any{"secret": "main.llm.openai_api_key",
		"grants": []any{map[string]any{"principal": appSP, "privileges": []any{"REFERENCE_SECRET"}}}})))
	id, outs := create(t, app, mpsURN, check(t, app, mpsURN, nil, props(t, in)))
	if id != "missing ID" || outs["name"].StringValue() != "model-provider-services/main.llm.openai" || outs["effectiveOwner"].StringValue() != appSP {
		t.Fatalf("%s %v", id, outs)
	}
	if refs := dump(t).ModelProviderServices["main.llm.openai"].SecretReferences; strings.Join(refs, ",") != "secrets/main.llm.openai_api_key" {
		t.Errorf("refs %v", refs)
	}
	// A plaintext key is accepted, never stored, never in the outputs.
	plainIn := map[string]any{"parent": "schemas/main.llm", "modelProviderServiceId": "plain", "config": map[string]any{
		"providerType": "EXTERNAL_MODEL_PROVIDER_TYPE_OPENAI",
		"openai": map[string]any{"direct": map[string]any{"apiKey": map[string]any{
			"plaintext": resource.MakeSecret(resource.NewStringProperty("sk-test-plaintext"))}}},
	}}
	_, pouts := create(t, app, mpsURN, check(t, app, mpsURN, nil, props(t, plainIn)))
	if strings.Contains(mustJSON(t, dump(t)), "sk-test-plaintext") || strings.Contains(mustJSON(t, pouts.Mappable()), "sk-test-plaintext") {
		t.Error("plaintext kept")
	}
	// providerType is immutable; parent replaces.
	changed := map[string]any{"parent": "schemas/main.llm", "modelProviderServiceId": "openai", "config": map[string]any{"providerType": "EXTERNAL_MODEL_PROVIDER_TYPE_ANTHROPIC"}}
	if _, err := update(t, app, mpsURN, id, resource.NewPropertyMapFromMap(in), changed); err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Errorf("providerType change: %v", err)
	}
	moved := map[string]any{"parent": "schemas/main.other", "modelProviderServiceId": "openai", "config": in["config"]}
	if r := diffOf(t, app, mpsURN, in, moved); strings.Join(r.Replaces, ",") != "parent" {
		t.Errorf("parent replaces: %v", r)
	}
	r := read(t, app, mpsURN, "model-provider-services/main.llm.openai", nil, nil)
	if got := toMap(t, r.Inputs); got["modelProviderServiceId"].StringValue() != "openai" || got["parent"].StringValue() != "schemas/main.llm" {
		t.Errorf("import: %v", got)
	}
	del(t, app, mpsURN, id, outs)
	if _, ok := dump(t).ModelProviderServices["main.llm.openai"]; ok {
		t.Error("not deleted")
	}
}

func TestImportReadsBackWhatTheRealProviderReads(t *testing.T) {
	setup(t)
	st, _ := workspace.OpenFromEnv()
	// Made outside Pulumi, as the original program did.
	_ = st.Update(func(w *workspace.Workspace) error {
		if _, err := w.CreateScope(workspace.ScopeSpec{Name: "llm-keys", InitialManagePrincipal: "users", Creator: "someone"}, 1); err != nil {
			return err
		}
		if _, err := w.PutSecret("llm-keys", "openai", workspace.Digest("sk-test-adopt"), 13, 2); err != nil {
			return err
		}
		return w.PutACL("llm-keys", "data-eng", "READ")
	})
	db := as(t, nil)
	// Scope: name and backend, never initialManagePrincipal.
	r := read(t, db, scopeURN, "llm-keys", nil, nil)
	scopeIns := toMap(t, r.Inputs)
	if r.Id != "llm-keys" || scopeIns["name"].StringValue() != "llm-keys" || scopeIns.HasValue("initialManagePrincipal") {
		t.Errorf("scope import: %s %v", r.Id, scopeIns)
	}
	// backendType is read back into the inputs: naming it is no change on import.
	if d := diffOf(t, db, scopeURN, scopeIns.Mappable(), map[string]any{"name": "llm-keys", "backendType": "DATABRICKS"}); d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("scope import diff: %v", d)
	}
	if toMap(t, r.Properties)["backendType"].StringValue() != "DATABRICKS" {
		t.Error("backendType is read back")
	}
	// Secret: no stringValue; configReference and the timestamp.
	r = read(t, db, secURN, "llm-keys|||openai", nil, nil)
	secOuts, secIns := toMap(t, r.Properties), toMap(t, r.Inputs)
	if secIns.HasValue("stringValue") || secOuts.HasValue("stringValue") || secOuts["configReference"].StringValue() != "{{secrets/llm-keys/openai}}" ||
		secOuts["lastUpdatedTimestamp"].NumberValue() != 2 || secIns["scope"].StringValue() != "llm-keys" || secIns["key"].StringValue() != "openai" {
		t.Errorf("secret import: %v %v", secOuts, secIns)
	}
	// The importing program's inputs against what was read: for a Secret, a value
	// is an update in place (PutSecret of the value given), never a replacement,
	// as with pulumi-databricks 1.118.0 (terraform-provider-databricks PR #5480).
	if d := diffOf(t, db, secURN, map[string]any{"scope": "llm-keys", "key": "openai"},
		map[string]any{"scope": "llm-keys", "key": "openai", "stringValue": "sk-test-adopt"}); strings.Join(d.Diffs, ",") != "stringValue" || len(d.Replaces) != 0 {
		t.Errorf("secret import diff: %v", d)
	}
	resp, _ := db.Diff(ctx, &pulumirpc.DiffRequest{Urn: secURN, OldInputs: props(t, map[string]any{"scope": "llm-keys", "key": "openai"}),
		News: props(t, map[string]any{"scope": "llm-keys", "key": "openai", "stringValue": "sk-test-adopt"}), IgnoreChanges: []string{"stringValue"}})
	if resp.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("with ignoreChanges the import proposes nothing: %v", resp)
	}
	// ACL: scope, principal, permission; matching inputs are no change.
	r = read(t, db, aclURN, "llm-keys|||data-eng", nil, nil)
	aclIns := toMap(t, r.Inputs)
	if aclIns["permission"].StringValue() != "READ" || aclIns["principal"].StringValue() != "data-eng" {
		t.Errorf("acl import: %v", aclIns)
	}
	if d := diffOf(t, db, aclURN, map[string]any{"scope": "llm-keys", "principal": "data-eng", "permission": "READ"},
		map[string]any{"scope": "llm-keys", "principal": "data-eng", "permission": "READ"}); d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("acl: %v", d)
	}
	// Missing objects read as gone.
	for urn, id := range map[string]string{scopeURN: "nope", secURN: "llm-keys|||nope", aclURN: "llm-keys|||nobody"} {
		if r := read(t, db, urn, id, nil, nil); r.Id != "" {
			t.Errorf("%s %s: not gone", urn, id)
		}
	}
}

func TestKeyVaultSoftDeleteThroughTheProvider(t *testing.T) {
	_, srv := setup(t)
	az := srv["azure-native"]
	in := map[string]any{"resourceGroupName": "rg", "vaultName": "kv-llm", "secretName": "openai",
		"properties": map[string]any{"value": "sk-test-kv"}}
	id, outs := create(t, az, kvsURN, check(t, az, kvsURN, nil, props(t, in)))
	del(t, az, kvsURN, id, outs)
	_, err := az.Create(ctx, &pulumirpc.CreateRequest{Urn: kvsURN, Properties: props(t, in)})
	if err == nil || !strings.Contains(err.Error(), "Conflict: Secret openai is currently in a deleted but recoverable state") {
		t.Fatalf("re-create of a soft-deleted name: %v", err)
	}
	if r := read(t, az, kvsURN, id, outs, nil); r.Id != "" {
		t.Error("a soft-deleted secret reads as gone")
	}
	st, _ := workspace.OpenFromEnv()
	_ = st.Update(func(w *workspace.Workspace) error {
		return w.PurgeVaultSecret(workspace.VaultRef{ResourceGroup: "rg", Name: "kv-llm"}, "openai")
	})
	create(t, az, kvsURN, props(t, in))
}

func dumpPath(t *testing.T) string {
	t.Helper()
	st, err := workspace.OpenFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	return st.Path()
}
