package provider

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"

	"llmkeyvault/emulator/internal/workspace"
)

// actingAs returns a databricks server acting as principal (databricks:username).
func actingAs(t *testing.T, principal string) *Server {
	t.Helper()
	return as(t, map[string]string{"username": principal})
}

func addMember(t *testing.T, group, member string) {
	t.Helper()
	changeWorkspace(t, func(w *workspace.Workspace) error { return w.AddMember(group, member) })
}

func TestSecretWriteNeedsWriteOrManage(t *testing.T) {
	_, srv := setup(t)
	owner := srv["databricks"]
	makeScope(t, owner, "llm") // created by the default identity: MANAGE
	secIns := props(t, map[string]any{"scope": "llm", "key": "openai-api-key", "stringValue": resource.MakeSecret(resource.NewStringProperty("sk-test-rights"))})
	other := actingAs(t, "someone@example.com")
	_, err := other.Create(ctx, &pulumirpc.CreateRequest{Urn: secURN, Properties: check(t, other, secURN, nil, secIns)})
	want := "PERMISSION_DENIED: User someone@example.com does not have WRITE permission on scope llm to perform this action."
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("write without a right: %v", err)
	}
	if _, ok := dump(t).Secrets["llm"]["openai-api-key"]; ok {
		t.Fatal("a refused write stored the secret")
	}
	// READ is not enough; WRITE is.
	readIns := props(t, map[string]any{"scope": "llm", "principal": "someone@example.com", "permission": "READ"})
	_, readOuts := create(t, owner, aclURN, check(t, owner, aclURN, nil, readIns))
	if _, err := other.Create(ctx, &pulumirpc.CreateRequest{Urn: secURN, Properties: check(t, other, secURN, nil, secIns)}); err == nil {
		t.Fatal("READ wrote a secret")
	}
	del(t, owner, aclURN, "llm|||someone@example.com", readOuts)
	writeIns := props(t, map[string]any{"scope": "llm", "principal": "someone@example.com", "permission": "WRITE"})
	create(t, owner, aclURN, check(t, owner, aclURN, nil, writeIns))
	create(t, other, secURN, check(t, other, secURN, nil, secIns))
	if _, ok := dump(t).Secrets["llm"]["openai-api-key"]; !ok {
		t.Fatal("WRITE could not write")
	}
}

func TestACLChangeAndScopeDeleteNeedManage(t *testing.T) {
	_, srv := setup(t)
	owner := srv["databricks"]
	makeScope(t, owner, "llm")
	writer := actingAs(t, "etl-sp")
	create(t, owner, aclURN, check(t, owner, aclURN, nil, props(t, map[string]any{"scope": "llm", "principal": "etl-sp", "permission": "WRITE"})))
	ins := check(t, writer, aclURN, nil, props(t, map[string]any{"scope": "llm", "principal": "intruder", "permission": "MANAGE"}))
	_, err := writer.Create(ctx, &pulumirpc.CreateRequest{Urn: aclURN, Properties: ins})
	if err == nil || !strings.Contains(err.Error(), "PERMISSION_DENIED: User etl-sp does not have MANAGE permission on scope llm") {
		t.Fatalf("ACL change with WRITE: %v", err)
	}
	if _, err := writer.Delete(ctx, &pulumirpc.DeleteRequest{Urn: scopeURN, Id: "llm", Properties: &structpb.Struct{}}); err == nil ||
		!strings.Contains(err.Error(), "does not have MANAGE permission") {
		t.Fatalf("scope delete with WRITE: %v", err)
	}
	if _, ok := dump(t).Scopes["llm"]; !ok {
		t.Fatal("a refused delete removed the scope")
	}
	// A workspace admin bypasses the ACLs; so does a member of a group that holds MANAGE.
	addMember(t, "admins", "boss@example.com")
	create(t, actingAs(t, "boss@example.com"), aclURN, ins)
	addMember(t, "platform", "etl-sp")
	create(t, owner, aclURN, check(t, owner, aclURN, nil, props(t, map[string]any{"scope": "llm", "principal": "platform", "permission": "MANAGE"})))
	del(t, writer, scopeURN, "llm", resource.PropertyMap{})
	if _, ok := dump(t).Scopes["llm"]; ok {
		t.Fatal("a member of a MANAGE group could not delete the scope")
	}
}

func TestOwnManageACLDeleteIsSkipped(t *testing.T) {
	_, srv := setup(t)
	owner := srv["databricks"]
	makeScope(t, owner, "llm")
	mine := props(t, map[string]any{"scope": "llm", "principal": DefaultIdentity, "permission": "MANAGE"})
	id, outs := create(t, owner, aclURN, check(t, owner, aclURN, nil, mine))
	del(t, owner, aclURN, id, outs)
	if dump(t).ACLs["llm"][DefaultIdentity] != "MANAGE" {
		t.Fatal("the caller's own MANAGE was deleted")
	}
	// Another principal's delete of that ACL goes through (it holds MANAGE through admins).
	addMember(t, "admins", "boss@example.com")
	del(t, actingAs(t, "boss@example.com"), aclURN, id, outs)
	if _, ok := dump(t).ACLs["llm"][DefaultIdentity]; ok {
		t.Fatal("an admin could not delete someone else's MANAGE")
	}
}

func TestInvokeCurrentUserAndSecretUc(t *testing.T) {
	setup(t)
	sp := NewServer(Databricks, nil)
	if _, err := sp.Configure(ctx, &pulumirpc.ConfigureRequest{AcceptSecrets: true,
		Variables: map[string]string{"databricks:config:clientId": "6f1c0a4e-0000-4000-8000-000000000001"}}); err != nil {
		t.Fatal(err)
	}
	resp, err := sp.Invoke(ctx, &pulumirpc.InvokeRequest{Tok: TokenGetCurrentUser, Args: &structpb.Struct{}})
	if err != nil {
		t.Fatal(err)
	}
	me := toMap(t, resp.Return)
	if v, _ := get(me, "userName").str(); v != "6f1c0a4e-0000-4000-8000-000000000001" {
		t.Errorf("userName %v", me)
	}
	if v, _ := get(me, "aclPrincipalId").str(); v != "servicePrincipals/6f1c0a4e-0000-4000-8000-000000000001" {
		t.Errorf("aclPrincipalId %v", me)
	}
	args := props(t, map[string]any{"fullName": "main.llm.openai_api_key"})
	if _, err := sp.Invoke(ctx, &pulumirpc.InvokeRequest{Tok: TokenGetSecretUc, Args: args}); err == nil ||
		!strings.Contains(err.Error(), "RESOURCE_DOES_NOT_EXIST: Secret 'main.llm.openai_api_key' does not exist.") {
		t.Fatalf("missing secret: %v", err)
	}
	changeWorkspace(t, func(w *workspace.Workspace) error {
		if _, err := w.SeedSchema("main.llm", DefaultIdentity, 1); err != nil {
			return err
		}
		_, err := w.CreateUCSecret(workspace.UCSecretSpec{CatalogName: "main", SchemaName: "llm", Name: "openai_api_key",
			ValueSha256: workspace.Digest("sk-test-uc"), ValueLen: 10}, DefaultIdentity, 1)
		return err
	})
	resp, err = sp.Invoke(ctx, &pulumirpc.InvokeRequest{Tok: TokenGetSecretUc, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	got := toMap(t, resp.Return)
	if v, _ := get(got, "fullName").str(); v != "main.llm.openai_api_key" {
		t.Errorf("fullName %v", got)
	}
	for _, k := range []string{"value", "effectiveValue"} {
		if get(got, k).present {
			t.Errorf("%s returned", k)
		}
	}
	if _, err := sp.Invoke(ctx, &pulumirpc.InvokeRequest{Tok: "databricks:index/getClusters:getClusters", Args: &structpb.Struct{}}); err == nil {
		t.Error("an unknown function answered")
	}
}
