package provider

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"llmkeyvault/emulator/internal/workspace"
)

func TestNoDirFailsEveryCall(t *testing.T) {
	t.Setenv(workspace.DirEnv, "")
	s := NewServer(Databricks, nil)
	const want = "llmkeyvault workspace emulator (a test double): LLMKEYVAULT_EMULATOR_DIR is not set"
	_, err := s.Configure(ctx, &pulumirpc.ConfigureRequest{})
	if err == nil || err.Error() != want {
		t.Fatalf("Configure: %v", err)
	}
	_, err = s.Create(ctx, &pulumirpc.CreateRequest{Urn: scopeURN})
	if err == nil || err.Error() != want {
		t.Fatalf("Create: %v", err)
	}
	_, err = s.Check(ctx, &pulumirpc.CheckRequest{Urn: scopeURN})
	if err == nil || err.Error() != want {
		t.Fatalf("Check: %v", err)
	}
	_, err = s.GetSchema(ctx, &pulumirpc.GetSchemaRequest{})
	if err == nil {
		t.Fatal("GetSchema worked without a folder")
	}
}

func TestPluginInfoAndSchema(t *testing.T) {
	_, servers := setup(t)
	for name, want := range map[string]string{"databricks": "1.118.0", "random": "4.21.4", "azure-native": "3.29.0"} {
		info, err := servers[name].GetPluginInfo(ctx, &emptypb.Empty{})
		if err != nil || info.Version != want {
			t.Errorf("%s: version %v %v", name, info, err)
		}
		resp, err := servers[name].GetSchema(ctx, &pulumirpc.GetSchemaRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var schema struct {
			Name      string                    `json:"name"`
			Version   string                    `json:"version"`
			Resources map[string]map[string]any `json:"resources"`
			Types     map[string]any            `json:"types"`
		}
		if err := json.Unmarshal([]byte(resp.Schema), &schema); err != nil {
			t.Fatal(err)
		}
		if schema.Name != name || schema.Version != want || len(schema.Resources) == 0 {
			t.Errorf("%s schema: %+v", name, schema)
		}
		// Every $ref points at a declared type.
		for _, ref := range strings.Split(resp.Schema, `"$ref": "#/types/`)[1:] {
			tok := ref[:strings.Index(ref, `"`)]
			if _, ok := schema.Types[tok]; !ok {
				t.Errorf("%s: dangling $ref %s", name, tok)
			}
		}
	}
	t.Setenv("LLMKEYVAULT_EMULATOR_RANDOM_VERSION", "v4.99.0")
	if info, _ := servers["random"].GetPluginInfo(ctx, &emptypb.Empty{}); info.Version != "4.99.0" {
		t.Errorf("override: %v", info.Version)
	}
}

func TestScopeCheckCreateReadDelete(t *testing.T) {
	_, srv := setup(t)
	db := srv["databricks"]

	resp, err := db.Check(ctx, &pulumirpc.CheckRequest{Urn: scopeURN, News: props(t, map[string]any{"name": "bad name!"})})
	if err != nil || len(resp.Failures) != 1 || !strings.Contains(resp.Failures[0].Reason, "alphanumeric") {
		t.Fatalf("bad name: %v %v", resp.GetFailures(), err)
	}
	// Auto-naming when no name is given, stable for a given seed.
	ins := check(t, db, scopeURN, nil, props(t, map[string]any{}))
	name := toMap(t, ins)["name"].StringValue()
	if !strings.HasPrefix(name, "keys-") || len(name) != len("keys-")+7 {
		t.Errorf("auto name %q", name)
	}

	// The provider's check lets "@" through, the API refuses it at Create.
	ins = check(t, db, scopeURN, nil, props(t, map[string]any{"name": "team@x"}))
	if _, err := db.Create(ctx, &pulumirpc.CreateRequest{Urn: scopeURN, Properties: ins}); err == nil ||
		!strings.Contains(err.Error(), "INVALID_PARAMETER_VALUE") {
		t.Errorf("create team@x: %v", err)
	}

	ins = check(t, db, scopeURN, nil, props(t, map[string]any{"name": "llm", "initialManagePrincipal": "users"}))
	id, outs := create(t, db, scopeURN, ins)
	if id != "llm" || outs["backendType"].StringValue() != "DATABRICKS" {
		t.Fatalf("create: %s %v", id, outs)
	}
	if _, err := db.Create(ctx, &pulumirpc.CreateRequest{Urn: scopeURN, Properties: ins}); err == nil ||
		!strings.Contains(err.Error(), "Scope llm already exists") {
		t.Errorf("duplicate: %v", err)
	}
	rr, err := db.Read(ctx, &pulumirpc.ReadRequest{Urn: scopeURN, Id: id, Properties: props(t, map[string]any{"name": "llm"}), Inputs: ins})
	if err != nil || rr.Id != "llm" {
		t.Fatalf("read: %v %v", rr, err)
	}
	if d := dump(t); d.ACLs["llm"]["users"] != "MANAGE" {
		t.Errorf("acls %v", d.ACLs)
	}
	del(t, db, scopeURN, id, outs)
	rr, err = db.Read(ctx, &pulumirpc.ReadRequest{Urn: scopeURN, Id: id})
	if err != nil || rr.Id != "" {
		t.Errorf("read after delete: %v %v", rr, err)
	}
	del(t, db, scopeURN, id, outs) // already gone: no error
}

func TestKeyVaultScopeNeedsAADWithPAT(t *testing.T) {
	_, srv := setup(t)
	db := srv["databricks"]
	kv := map[string]any{"name": "kv", "keyvaultMetadata": map[string]any{"resourceId": kvID, "dnsName": "https://kv-llm.vault.azure.net/"}}
	cfg := props(t, map[string]any{"host": "https://adb-1.azuredatabricks.net", "token": resource.MakeSecret(resource.NewStringProperty("dapi-x"))})
	if _, err := db.Configure(ctx, &pulumirpc.ConfigureRequest{Args: cfg, AcceptSecrets: true}); err != nil {
		t.Fatal(err)
	}
	ins := check(t, db, scopeURN, nil, props(t, kv))
	if _, err := db.Create(ctx, &pulumirpc.CreateRequest{Urn: scopeURN, Properties: ins}); err == nil ||
		!strings.Contains(err.Error(), "Scope with Azure KeyVault must have userAADToken defined!") {
		t.Fatalf("PAT: %v", err)
	}
	if _, err := db.Configure(ctx, &pulumirpc.ConfigureRequest{Variables: map[string]string{"databricks:config:authType": "azure-cli"}}); err != nil {
		t.Fatal(err)
	}
	_, outs := create(t, db, scopeURN, ins)
	if outs["backendType"].StringValue() != "AZURE_KEYVAULT" {
		t.Errorf("backend %v", outs["backendType"])
	}
}

// TestIssue642 drives the calls the engine makes when a Secret's value
// changes: Diff asks for a replacement; create-before-delete (the default)
// loses the secret, delete-before-replace keeps the new value.
func TestIssue642(t *testing.T) {
	for _, deleteFirst := range []bool{false, true} {
		name := "create-before-delete"
		if deleteFirst {
			name = "delete-before-replace"
		}
		t.Run(name, func(t *testing.T) {
			_, srv := setup(t)
			db := srv["databricks"]
			makeScope(t, db, "llm")
			v1 := resource.MakeSecret(resource.NewStringProperty("sk-one"))
			v2 := resource.MakeSecret(resource.NewStringProperty("sk-two"))
			ins1 := check(t, db, secURN, nil, props(t, map[string]any{"scope": "llm", "key": "openai-api-key", "stringValue": v1}))
			id1, outs1 := create(t, db, secURN, ins1)
			if id1 != "llm|||openai-api-key" || outs1["configReference"].StringValue() != "{{secrets/llm/openai-api-key}}" {
				t.Fatalf("create v1: %s %v", id1, outs1)
			}
			// A replacement that keeps scope and key (a new providerConfig, or a
			// provider older than terraform-provider-databricks PR #5480, where a
			// new value replaced): the engine's create-before-delete runs these calls.
			ins2 := check(t, db, secURN, ins1, props(t, map[string]any{"scope": "llm", "key": "openai-api-key", "stringValue": v2,
				"providerConfig": map[string]any{"workspaceId": "123"}}))
			diff, err := db.Diff(ctx, &pulumirpc.DiffRequest{Urn: secURN, Id: id1, Olds: props(t, outs1.Mappable()), OldInputs: ins1, News: ins2})
			if err != nil {
				t.Fatal(err)
			}
			if diff.Changes != pulumirpc.DiffResponse_DIFF_SOME || strings.Join(diff.Replaces, ",") != "providerConfig" || diff.DeleteBeforeReplace {
				t.Fatalf("diff: %v", diff)
			}
			if deleteFirst {
				del(t, db, secURN, id1, outs1)
				create(t, db, secURN, ins2)
			} else {
				id2, _ := create(t, db, secURN, ins2)
				if id2 != id1 {
					t.Fatalf("same scope/key, ids %s %s", id1, id2)
				}
				del(t, db, secURN, id1, outs1)
			}
			d := dump(t)
			rec, present := d.Secrets["llm"]["openai-api-key"]
			if deleteFirst {
				if !present || rec.ValueSha256 != workspace.Digest("sk-two") {
					t.Errorf("delete-before-replace: want v2 present, got %+v %v", rec, present)
				}
			} else if present {
				t.Errorf("create-before-delete: the key should be gone (issue 642), got %+v", rec)
			}
		})
	}
}

// A new value (stringValue, or stringValueWo with a new stringValueWoVersion)
// is written over the secret in place: PutSecret is an upsert, so the secret
// is never absent (terraform-provider-databricks PR #5480, commit 9a6aa88f1,
// TestResourceSecretUpdate and TestResourceSecretUpdate_WriteOnlyValueVersionChange).
// A new key or scope still replaces.
func TestSecretValueUpdatesInPlace(t *testing.T) {
	_, srv := setup(t)
	db := srv["databricks"]
	makeScope(t, db, "llm")
	sec := func(s string) resource.PropertyValue { return resource.MakeSecret(resource.NewStringProperty(s)) }
	ins1 := check(t, db, secURN, nil, props(t, map[string]any{"scope": "llm", "key": "openai-api-key", "stringValue": sec("sk-test-one")}))
	id, outs1 := create(t, db, secURN, ins1)
	ts1 := dump(t).Secrets["llm"]["openai-api-key"].LastUpdatedTimestamp

	update := func(olds resource.PropertyMap, oldIns, news *structpb.Struct, preview bool) resource.PropertyMap {
		t.Helper()
		diff, err := db.Diff(ctx, &pulumirpc.DiffRequest{Urn: secURN, Id: id, Olds: props(t, olds.Mappable()), OldInputs: oldIns, News: news})
		if err != nil {
			t.Fatal(err)
		}
		if diff.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(diff.Replaces) != 0 {
			t.Fatalf("want an in-place change, got %v", diff)
		}
		resp, err := db.Update(ctx, &pulumirpc.UpdateRequest{Urn: secURN, Id: id, Olds: props(t, olds.Mappable()),
			OldInputs: oldIns, News: news, Preview: preview})
		if err != nil {
			t.Fatal(err)
		}
		return toMap(t, resp.Properties)
	}

	// A new stringValue: the preview changes nothing, the update rewrites the digest.
	ins2 := check(t, db, secURN, ins1, props(t, map[string]any{"scope": "llm", "key": "openai-api-key", "stringValue": sec("sk-test-two")}))
	prev := update(outs1, ins1, ins2, true)
	if !prev["lastUpdatedTimestamp"].IsComputed() || dump(t).Secrets["llm"]["openai-api-key"].ValueSha256 != workspace.Digest("sk-test-one") {
		t.Fatalf("preview: %v", prev)
	}
	outs2 := update(outs1, ins1, ins2, false)
	rec := dump(t).Secrets["llm"]["openai-api-key"]
	if rec.ValueSha256 != workspace.Digest("sk-test-two") || rec.LastUpdatedTimestamp < ts1 {
		t.Errorf("after update: %+v", rec)
	}
	if !outs2["stringValue"].IsSecret() || outs2["configReference"].StringValue() != "{{secrets/llm/openai-api-key}}" {
		t.Errorf("update outputs: %v", outs2)
	}

	// From stringValue to the write-only value, then a new version: in place each time.
	ins3 := check(t, db, secURN, ins2, props(t, map[string]any{"scope": "llm", "key": "openai-api-key",
		"stringValueWo": sec("sk-test-three"), "stringValueWoVersion": 1}))
	outs3 := update(outs2, ins2, ins3, false)
	if _, ok := outs3["stringValueWo"]; ok {
		t.Error("write-only value in the outputs")
	}
	ins4 := check(t, db, secURN, ins3, props(t, map[string]any{"scope": "llm", "key": "openai-api-key",
		"stringValueWo": sec("sk-test-four"), "stringValueWoVersion": 2}))
	update(outs3, ins3, ins4, false)
	if got := dump(t).Secrets["llm"]["openai-api-key"].ValueSha256; got != workspace.Digest("sk-test-four") {
		t.Errorf("write-only version bump: digest %s", got)
	}

	// Never deleted: the log holds one create and three updates of this secret.
	var ops []string
	for _, e := range dump(t).Log {
		if e.Kind == workspace.KindSecret {
			ops = append(ops, e.Op)
		}
	}
	if strings.Join(ops, ",") != "create,update,update,update" {
		t.Errorf("secret ops: %v", ops)
	}

	// A new key still replaces.
	ins5 := check(t, db, secURN, ins4, props(t, map[string]any{"scope": "llm", "key": "other", "stringValue": sec("sk-test-four")}))
	diff, err := db.Diff(ctx, &pulumirpc.DiffRequest{Urn: secURN, Id: id, OldInputs: ins4, News: ins5})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(diff.Replaces, ",") != "key" {
		t.Errorf("new key: %v", diff)
	}
}

func TestSecretOutputsStaySecret(t *testing.T) {
	_, srv := setup(t)
	db := srv["databricks"]
	makeScope(t, db, "llm")
	// A plain input value comes back from Check and Create as a secret.
	ins := check(t, db, secURN, nil, props(t, map[string]any{"scope": "llm", "key": "k", "stringValue": "plain-value"}))
	if !toMap(t, ins)["stringValue"].IsSecret() {
		t.Error("check: stringValue not secret")
	}
	resp, err := db.Create(ctx, &pulumirpc.CreateRequest{Urn: secURN, Properties: ins})
	if err != nil {
		t.Fatal(err)
	}
	if !toMap(t, resp.Properties)["stringValue"].IsSecret() {
		t.Error("create: stringValue not secret")
	}
	// An engine that does not accept secrets gets plain values.
	if _, err := db.Configure(ctx, &pulumirpc.ConfigureRequest{AcceptSecrets: false}); err != nil {
		t.Fatal(err)
	}
	resp, err = db.Create(ctx, &pulumirpc.CreateRequest{Urn: secURN, Properties: ins})
	if err != nil {
		t.Fatal(err)
	}
	if v := toMap(t, resp.Properties)["stringValue"]; v.IsSecret() || v.StringValue() != "plain-value" {
		t.Errorf("without acceptSecrets: %v", v)
	}
	// The workspace file never holds the value.
	st, _ := workspace.OpenFromEnv()
	data, _ := json.Marshal(dump(t))
	if strings.Contains(string(data), "plain-value") {
		t.Error("dump holds a value")
	}
	raw, _ := readFile(st.Path())
	if strings.Contains(raw, "plain-value") {
		t.Error("workspace file holds a value")
	}
}

func TestSecretCheckAndWrites(t *testing.T) {
	_, srv := setup(t)
	db := srv["databricks"]
	resp, _ := db.Check(ctx, &pulumirpc.CheckRequest{Urn: secURN, News: props(t, map[string]any{"scope": "llm", "key": "a b"})})
	reasons := ""
	for _, f := range resp.Failures {
		reasons += f.Property + ": " + f.Reason + "\n"
	}
	if !strings.Contains(reasons, "key: invalid value for key") || !strings.Contains(reasons, "one of `stringValue,stringValueWo` must be specified") {
		t.Errorf("failures:\n%s", reasons)
	}
	// Writing into a missing scope fails.
	ins := check(t, db, secURN, nil, props(t, map[string]any{"scope": "nope", "key": "k", "stringValue": "v"}))
	if _, err := db.Create(ctx, &pulumirpc.CreateRequest{Urn: secURN, Properties: ins}); err == nil ||
		!strings.Contains(err.Error(), "Scope nope does not exist!") {
		t.Errorf("missing scope: %v", err)
	}
	// A Key Vault-backed scope refuses direct writes.
	create(t, db, scopeURN, check(t, db, scopeURN, nil, props(t, map[string]any{"name": "kv",
		"keyvaultMetadata": map[string]any{"resourceId": kvID, "dnsName": "https://kv-llm.vault.azure.net/"}})))
	ins = check(t, db, secURN, nil, props(t, map[string]any{"scope": "kv", "key": "k", "stringValue": "v"}))
	if _, err := db.Create(ctx, &pulumirpc.CreateRequest{Urn: secURN, Properties: ins}); err == nil ||
		!strings.Contains(err.Error(), "Cannot write secrets to Azure KeyVault-backed scope kv") {
		t.Errorf("kv scope: %v", err)
	}
	// Write-only value: stored, never in the outputs.
	makeScope(t, db, "llm")
	ins = check(t, db, secURN, nil, props(t, map[string]any{"scope": "llm", "key": "wo", "stringValueWo": "v-wo", "stringValueWoVersion": 1}))
	_, outs := create(t, db, secURN, ins)
	if _, ok := outs["stringValueWo"]; ok {
		t.Error("write-only value in outputs")
	}
	if dump(t).Secrets["llm"]["wo"].ValueSha256 != workspace.Digest("v-wo") {
		t.Error("write-only value not stored")
	}
}

func TestDiffRules(t *testing.T) {
	_, srv := setup(t)
	db := srv["databricks"]
	diff := func(urn string, olds, news map[string]any) *pulumirpc.DiffResponse {
		t.Helper()
		resp, err := db.Diff(ctx, &pulumirpc.DiffRequest{Urn: urn, OldInputs: props(t, olds), Olds: props(t, olds), News: props(t, news)})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	sec := func(s string) resource.PropertyValue { return resource.MakeSecret(resource.NewStringProperty(s)) }
	unknown := resource.MakeComputed(resource.NewStringProperty(""))

	// Secrets compare by value, whatever their wrapping.
	if r := diff(secURN, map[string]any{"scope": "s", "key": "k", "stringValue": sec("v")},
		map[string]any{"scope": "s", "key": "k", "stringValue": "v"}); r.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("equal values: %v", r)
	}
	// An unknown value (preview) is a change, in place.
	if r := diff(secURN, map[string]any{"scope": "s", "key": "k", "stringValue": sec("v")},
		map[string]any{"scope": "s", "key": "k", "stringValue": unknown}); strings.Join(r.Diffs, ",") != "stringValue" || len(r.Replaces) != 0 {
		t.Errorf("unknown: %v", r)
	}
	// The write-only value alone is no change; its version updates in place.
	if r := diff(secURN, map[string]any{"scope": "s", "key": "k", "stringValueWo": sec("a"), "stringValueWoVersion": 1},
		map[string]any{"scope": "s", "key": "k", "stringValueWo": sec("b"), "stringValueWoVersion": 1}); r.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("wo: %v", r)
	}
	if r := diff(secURN, map[string]any{"scope": "s", "key": "k", "stringValueWo": sec("a"), "stringValueWoVersion": 1},
		map[string]any{"scope": "s", "key": "k", "stringValueWo": sec("b"), "stringValueWoVersion": 2}); strings.Join(r.Diffs, ",") != "stringValueWoVersion" || len(r.Replaces) != 0 {
		t.Errorf("wo version: %v", r)
	}
	// Scope: every input replaces; the computed backendType left out is no change.
	if r := diff(scopeURN, map[string]any{"name": "a", "backendType": "DATABRICKS"}, map[string]any{"name": "a"}); r.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("backendType: %v", r)
	}
	if r := diff(scopeURN, map[string]any{"name": "a"}, map[string]any{"name": "a", "initialManagePrincipal": "users"}); strings.Join(r.Replaces, ",") != "initialManagePrincipal" {
		t.Errorf("imp: %v", r)
	}
	if r := diff(aclURN, map[string]any{"scope": "s", "principal": "p", "permission": "READ"},
		map[string]any{"scope": "s", "principal": "p", "permission": "WRITE"}); strings.Join(r.Replaces, ",") != "permission" {
		t.Errorf("acl: %v", r)
	}
	// RandomId: keepers replace; empty keepers equal missing ones.
	rnd := srv["random"]
	r, _ := rnd.Diff(ctx, &pulumirpc.DiffRequest{Urn: rndURN, OldInputs: props(t, map[string]any{"byteLength": 4}),
		News: props(t, map[string]any{"byteLength": 4, "keepers": map[string]any{}})})
	if r.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("empty keepers: %v", r)
	}
	r, _ = rnd.Diff(ctx, &pulumirpc.DiffRequest{Urn: rndURN, OldInputs: props(t, map[string]any{"byteLength": 4}),
		News: props(t, map[string]any{"byteLength": 4, "keepers": map[string]any{"a": "b"}})})
	if strings.Join(r.Replaces, ",") != "keepers" {
		t.Errorf("keepers: %v", r)
	}
	// Key Vault secret: properties update in place, names replace.
	kv := srv["azure-native"]
	base := map[string]any{"resourceGroupName": "rg", "vaultName": "kv-llm", "secretName": "k",
		"properties": map[string]any{"value": sec("a")}}
	changed := map[string]any{"resourceGroupName": "rg", "vaultName": "kv-llm", "secretName": "k",
		"properties": map[string]any{"value": sec("b")}}
	r, _ = kv.Diff(ctx, &pulumirpc.DiffRequest{Urn: kvsURN, OldInputs: props(t, base), News: props(t, changed)})
	if r.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(r.Replaces) != 0 || strings.Join(r.Diffs, ",") != "properties" {
		t.Errorf("kv properties: %v", r)
	}
	changed["secretName"] = "k2"
	changed["properties"] = map[string]any{"value": sec("a")}
	r, _ = kv.Diff(ctx, &pulumirpc.DiffRequest{Urn: kvsURN, OldInputs: props(t, base), News: props(t, changed)})
	if strings.Join(r.Replaces, ",") != "secretName" {
		t.Errorf("kv name: %v", r)
	}
}

func TestACLs(t *testing.T) {
	_, srv := setup(t)
	db := srv["databricks"]
	ins := check(t, db, aclURN, nil, props(t, map[string]any{"scope": "llm", "principal": "data-eng", "permission": "READ"}))
	if _, err := db.Create(ctx, &pulumirpc.CreateRequest{Urn: aclURN, Properties: ins}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("acl on missing scope: %v", err)
	}
	makeScope(t, db, "llm")
	bad := check(t, db, aclURN, nil, props(t, map[string]any{"scope": "llm", "principal": "data-eng", "permission": "OWNER"}))
	if _, err := db.Create(ctx, &pulumirpc.CreateRequest{Urn: aclURN, Properties: bad}); err == nil || !strings.Contains(err.Error(), "READ, WRITE, MANAGE") {
		t.Errorf("bad permission: %v", err)
	}
	id, outs := create(t, db, aclURN, ins)
	if id != "llm|||data-eng" {
		t.Errorf("id %s", id)
	}
	d := dump(t)
	if d.ACLs["llm"]["data-eng"] != "READ" || d.ACLs["llm"][DefaultIdentity] != "MANAGE" {
		t.Errorf("acls %v", d.ACLs)
	}
	// Deleting the scope deletes its ACLs; the later ACL delete is a no-op.
	del(t, db, scopeURN, "llm", resource.PropertyMap{})
	del(t, db, aclURN, id, outs)
}

func TestRandomID(t *testing.T) {
	_, srv := setup(t)
	rnd := srv["random"]
	ins := check(t, rnd, rndURN, nil, props(t, map[string]any{"byteLength": 4, "prefix": "p-"}))
	id, outs := create(t, rnd, rndURN, ins)
	hex := outs["hex"].StringValue()
	if len(hex) != len("p-")+8 || !strings.HasPrefix(hex, "p-") || strings.HasPrefix(id, "p-") || id == "" {
		t.Errorf("random id %s %v", id, outs)
	}
	_, outs2 := create(t, rnd, rndURN, ins)
	if outs2["hex"].StringValue() == hex {
		t.Error("two RandomIds with the same value")
	}
	resp, _ := rnd.Check(ctx, &pulumirpc.CheckRequest{Urn: rndURN, News: props(t, map[string]any{"byteLength": 0})})
	if len(resp.Failures) != 1 {
		t.Errorf("byteLength 0: %v", resp.Failures)
	}
	if dump(t).CreateCounters["randomid"] != 2 {
		t.Error("randomid creates not counted")
	}
}

func TestVaultSecret(t *testing.T) {
	_, srv := setup(t)
	db, kv := srv["databricks"], srv["azure-native"]
	create(t, db, scopeURN, check(t, db, scopeURN, nil, props(t, map[string]any{"name": "kv",
		"keyvaultMetadata": map[string]any{"resourceId": kvID, "dnsName": "https://kv-llm.vault.azure.net/"}})))

	resp, _ := kv.Check(ctx, &pulumirpc.CheckRequest{Urn: kvsURN, News: props(t, map[string]any{"resourceGroupName": "rg-llm",
		"vaultName": "kv-llm", "secretName": "openai_api_key", "properties": map[string]any{"value": "x"}})})
	if len(resp.Failures) != 1 || resp.Failures[0].Property != "secretName" {
		t.Errorf("underscore: %v", resp.Failures)
	}

	in := map[string]any{"resourceGroupName": "RG-LLM", "vaultName": "KV-LLM", "secretName": "openai-api-key",
		"properties": map[string]any{"value": "sk-one", "contentType": "text/plain"}, "tags": map[string]any{"llmkeyvault": "openai"}}
	ins := check(t, kv, kvsURN, nil, props(t, in))
	if v := toMap(t, ins)["properties"].ObjectValue()["value"]; !v.IsSecret() {
		t.Error("properties.value not secret after Check")
	}
	id, outs := create(t, kv, kvsURN, ins)
	if !strings.HasSuffix(id, "/vaults/KV-LLM/secrets/openai-api-key") {
		t.Errorf("id %s", id)
	}
	p := outs["properties"].ObjectValue()
	if _, ok := p["value"]; ok {
		t.Error("value in outputs")
	}
	if p["secretUri"].StringValue() != "https://kv-llm.vault.azure.net/secrets/openai-api-key" ||
		!strings.HasPrefix(p["secretUriWithVersion"].StringValue(), p["secretUri"].StringValue()+"/") ||
		outs["name"].StringValue() != "openai-api-key" || outs["azureApiVersion"].StringValue() != azureAPIVersion {
		t.Errorf("outputs %v", outs)
	}
	// The Key Vault-backed scope lists it.
	if d := dump(t); strings.Join(d.Scopes["kv"].SecretKeys, ",") != "openai-api-key" {
		t.Errorf("scope keys %v", d.Scopes["kv"].SecretKeys)
	}
	// Update in place: new version, new digest.
	in["properties"] = map[string]any{"value": "sk-two"}
	ins2 := check(t, kv, kvsURN, ins, props(t, in))
	ur, err := kv.Update(ctx, &pulumirpc.UpdateRequest{Urn: kvsURN, Id: id, Olds: props(t, outs.Mappable()), OldInputs: ins, News: ins2})
	if err != nil {
		t.Fatal(err)
	}
	p2 := toMap(t, ur.Properties)["properties"].ObjectValue()
	if p2["secretUriWithVersion"].StringValue() == p["secretUriWithVersion"].StringValue() {
		t.Error("update made no new version")
	}
	d := dump(t)
	if d.Vaults["rg-llm/kv-llm"].Secrets["openai-api-key"].ValueSha256 != workspace.Digest("sk-two") {
		t.Errorf("vault after update: %+v", d.Vaults)
	}
	del(t, kv, kvsURN, id, outs)
	del(t, kv, kvsURN, id, outs)
	if d := dump(t); len(d.Scopes["kv"].SecretKeys) != 0 {
		t.Errorf("after delete %v", d.Scopes["kv"].SecretKeys)
	}
}

func TestPreviewChangesNothing(t *testing.T) {
	_, srv := setup(t)
	db := srv["databricks"]
	unknown := resource.MakeComputed(resource.NewStringProperty(""))
	ins := check(t, db, secURN, nil, props(t, map[string]any{"scope": unknown, "key": "k", "stringValue": "v"}))
	resp, err := db.Create(ctx, &pulumirpc.CreateRequest{Urn: secURN, Properties: ins, Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	outs := toMap(t, resp.Properties)
	if resp.Id != "" || !outs["configReference"].IsComputed() || !outs["stringValue"].IsSecret() {
		t.Errorf("preview outputs %v", outs)
	}
	if d := dump(t); d.CreateCounters["secret"] != 0 || len(d.Log) != 0 {
		t.Error("preview touched the workspace")
	}
}

func TestInjectedFailure(t *testing.T) {
	_, srv := setup(t)
	t.Setenv(workspace.FailEnv, "secret:2")
	db := NewServer(Databricks, nil)
	_ = srv
	makeScope(t, db, "llm")
	var errs []string
	for _, k := range []string{"a", "b", "c"} {
		ins := check(t, db, secURN, nil, props(t, map[string]any{"scope": "llm", "key": k, "stringValue": "v"}))
		_, err := db.Create(ctx, &pulumirpc.CreateRequest{Urn: secURN, Properties: ins})
		errs = append(errs, func() string {
			if err == nil {
				return "ok"
			}
			return err.Error()
		}())
	}
	if errs[0] != "ok" || !strings.Contains(errs[1], "injected failure") || errs[2] != "ok" {
		t.Errorf("results %q", errs)
	}
	d := dump(t)
	if d.CreateCounters["secret"] != 3 || strings.Join(d.Scopes["llm"].SecretKeys, ",") != "a,c" {
		t.Errorf("after injected failure: %v %v", d.CreateCounters, d.Scopes["llm"].SecretKeys)
	}
	if d.Log[2].Error == "" || d.Log[2].Kind != "secret" {
		t.Errorf("log %+v", d.Log)
	}
}

// TestLatencyOutsideLock checks that calls with latency overlap: the lock is
// never held while sleeping. It checks the order of the logged calls, not
// how long they took, so it holds under any load.
func TestLatencyOutsideLock(t *testing.T) {
	_, _ = setup(t)
	t.Setenv(workspace.LatencyEnv, "1000")
	db := NewServer(Databricks, nil)
	const n = 4
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ins := props(t, map[string]any{"name": "s" + string(rune('a'+i))})
			if _, err := db.Create(ctx, &pulumirpc.CreateRequest{Urn: scopeURN, Properties: ins}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	d := dump(t)
	if len(d.Log) != n {
		t.Fatalf("log %+v", d.Log)
	}
	// Every pair of calls overlapped in time.
	for _, a := range d.Log {
		if a.EndMs-a.StartMs < 1000 {
			t.Errorf("call shorter than the latency: %+v", a)
		}
		for _, b := range d.Log {
			if a.StartMs >= b.EndMs || b.StartMs >= a.EndMs {
				t.Errorf("calls did not overlap: %+v %+v", a, b)
			}
		}
	}
}

func TestUnknownType(t *testing.T) {
	_, srv := setup(t)
	_, err := srv["databricks"].Check(ctx, &pulumirpc.CheckRequest{Urn: "urn:pulumi:dev::p::databricks:index/cluster:Cluster::c"})
	if err == nil || !strings.Contains(err.Error(), "does not emulate") {
		t.Errorf("unknown type: %v", err)
	}
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
