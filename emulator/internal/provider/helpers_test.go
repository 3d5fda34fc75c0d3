package provider

// Helpers shared by the tests of this package.

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"

	"llmkeyvault/emulator/internal/workspace"
)

const (
	scopeURN = "urn:pulumi:dev::proj::llmkeyvault:index:LlmKeyVault$databricks:index/secretScope:SecretScope::keys"
	secURN   = "urn:pulumi:dev::proj::llmkeyvault:index:LlmKeyVault$databricks:index/secret:Secret::openai"
	aclURN   = "urn:pulumi:dev::proj::llmkeyvault:index:LlmKeyVault$databricks:index/secretAcl:SecretAcl::readers"
	rndURN   = "urn:pulumi:dev::proj::llmkeyvault:index:LlmKeyVault$random:index/randomId:RandomId::suffix"
	kvsURN   = "urn:pulumi:dev::proj::llmkeyvault:index:LlmKeyVault$azure-native:keyvault:Secret::openai"
	kvID     = "/subscriptions/sub-1/resourceGroups/rg-llm/providers/Microsoft.KeyVault/vaults/kv-llm"
)

var ctx = context.Background()

// setup points the emulator at a fresh folder and returns servers for the
// three packages, configured as the engine would (secrets accepted).
func setup(t *testing.T) (string, map[string]*Server) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(workspace.DirEnv, dir)
	t.Setenv(workspace.LatencyEnv, "")
	t.Setenv(workspace.FailEnv, "")
	servers := map[string]*Server{}
	for _, p := range []*Package{Databricks, Random, AzureNative} {
		s := NewServer(p, nil)
		if _, err := s.Configure(ctx, &pulumirpc.ConfigureRequest{AcceptSecrets: true}); err != nil {
			t.Fatal(err)
		}
		servers[p.Name] = s
	}
	return dir, servers
}

func props(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	pm := resource.PropertyMap{}
	for k, v := range m {
		if pv, ok := v.(resource.PropertyValue); ok {
			pm[pk(k)] = pv
		} else {
			pm[pk(k)] = resource.NewPropertyValue(v)
		}
	}
	st, err := plugin.MarshalProperties(pm, plugin.MarshalOptions{KeepSecrets: true, KeepUnknowns: true})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func toMap(t *testing.T, st *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := plugin.UnmarshalProperties(st, plugin.MarshalOptions{KeepSecrets: true, KeepUnknowns: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func check(t *testing.T, s *Server, urn string, olds, news *structpb.Struct) *structpb.Struct {
	t.Helper()
	resp, err := s.Check(ctx, &pulumirpc.CheckRequest{Urn: urn, Olds: olds, News: news, RandomSeed: []byte("seed")})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Failures) > 0 {
		t.Fatalf("check failures: %v", resp.Failures)
	}
	return resp.Inputs
}

func create(t *testing.T, s *Server, urn string, ins *structpb.Struct) (string, resource.PropertyMap) {
	t.Helper()
	resp, err := s.Create(ctx, &pulumirpc.CreateRequest{Urn: urn, Properties: ins})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Id, toMap(t, resp.Properties)
}

func del(t *testing.T, s *Server, urn, id string, outs resource.PropertyMap) {
	t.Helper()
	st, err := plugin.MarshalProperties(outs, plugin.MarshalOptions{KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, &pulumirpc.DeleteRequest{Urn: urn, Id: id, Properties: st}); err != nil {
		t.Fatal(err)
	}
}

// changeWorkspace applies fn to the emulated workspace outside any provider call, as a
// change made by hand; an error fails the test.
func changeWorkspace(t *testing.T, fn func(w *workspace.Workspace) error) {
	t.Helper()
	st, err := workspace.OpenFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func dump(t *testing.T) workspace.Dump {
	t.Helper()
	st, err := workspace.OpenFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	var d workspace.Dump
	if err := st.View(func(w *workspace.Workspace) error { d = w.Dump(); return nil }); err != nil {
		t.Fatal(err)
	}
	return d
}

func makeScope(t *testing.T, s *Server, name string) {
	t.Helper()
	create(t, s, scopeURN, check(t, s, scopeURN, nil, props(t, map[string]any{"name": name})))
}
