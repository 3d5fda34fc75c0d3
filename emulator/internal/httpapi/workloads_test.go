package httpapi

import (
	"fmt"
	"testing"

	"llmkeyvault/emulator/internal/workspace"
)

type jobsPage struct {
	Jobs []struct {
		JobID    int64          `json:"job_id"`
		Creator  string         `json:"creator_user_name"`
		HasMore  bool           `json:"has_more"`
		Settings map[string]any `json:"settings"`
	} `json:"jobs"`
	HasMore bool   `json:"has_more"`
	Next    string `json:"next_page_token"`
	Prev    string `json:"prev_page_token"`
}

func TestJobsListPagesNewestFirstAndExpandsTasksOnRequest(t *testing.T) {
	srv := serve(t, func(w *workspace.Workspace) error {
		for i := 1; i <= 3; i++ {
			settings := map[string]any{"name": fmt.Sprintf("job-%d", i), "tasks": []any{
				map[string]any{"task_key": "t", "new_cluster": map[string]any{"spark_env_vars": map[string]any{"K": "{{secrets/s/k}}"}}}}}
			if _, err := w.AddJob(settings, "alice@example.com", int64(i)); err != nil {
				return err
			}
		}
		return nil
	})
	var p jobsPage
	if code := get(t, srv, "/api/2.2/jobs/list?limit=2", &p); code != 200 {
		t.Fatalf("status %d", code)
	}
	if len(p.Jobs) != 2 || p.Jobs[0].JobID != 3 || !p.HasMore || p.Next == "" || p.Jobs[0].Settings["tasks"] != nil {
		t.Fatalf("first page: %+v", p)
	}
	var p2 jobsPage
	get(t, srv, "/api/2.2/jobs/list?limit=2&expand_tasks=true&page_token="+p.Next, &p2)
	if len(p2.Jobs) != 1 || p2.Jobs[0].JobID != 1 || p2.HasMore || p2.Next != "" || p2.Prev == "" || p2.Jobs[0].Creator != "alice@example.com" {
		t.Fatalf("second page: %+v", p2)
	}
	tasks, _ := p2.Jobs[0].Settings["tasks"].([]any)
	if len(tasks) != 1 {
		t.Fatalf("expand_tasks: %+v", p2.Jobs[0].Settings)
	}
	if code := get(t, srv, "/api/2.2/jobs/list?limit=101", nil); code != 400 {
		t.Errorf("limit 101: status %d, want 400", code)
	}
}

func TestJobWithMoreThan100TasksIsPagedByJobsGet(t *testing.T) {
	srv := serve(t, func(w *workspace.Workspace) error {
		tasks := make([]any, 150)
		for i := range tasks {
			tasks[i] = map[string]any{"task_key": fmt.Sprint("t", i)}
		}
		_, err := w.AddJob(map[string]any{"name": "big", "tasks": tasks}, "alice@example.com", 1)
		return err
	})
	var p jobsPage
	get(t, srv, "/api/2.2/jobs/list?expand_tasks=true", &p)
	if len(p.Jobs) != 1 || !p.Jobs[0].HasMore || len(p.Jobs[0].Settings["tasks"].([]any)) != 100 {
		t.Fatalf("list: has_more %v", p.Jobs)
	}
	var first, second struct {
		Settings map[string]any `json:"settings"`
		Next     string         `json:"next_page_token"`
	}
	get(t, srv, "/api/2.2/jobs/get?job_id=1", &first)
	get(t, srv, "/api/2.2/jobs/get?job_id=1&page_token="+first.Next, &second)
	if len(first.Settings["tasks"].([]any)) != 100 || len(second.Settings["tasks"].([]any)) != 50 || second.Next != "" {
		t.Fatalf("get pages: %q then %d tasks, next %q", first.Next, len(second.Settings["tasks"].([]any)), second.Next)
	}
	if code := get(t, srv, "/api/2.2/jobs/get?job_id=9", nil); code != 400 {
		t.Errorf("missing job: status %d, want 400 (INVALID_PARAMETER_VALUE, as the API answers)", code)
	}
}

func TestClustersListPagesAndRefusesBadSparkConf(t *testing.T) {
	srv := serve(t, func(w *workspace.Workspace) error {
		for i := 0; i < 101; i++ {
			if _, err := w.AddCluster(map[string]any{"cluster_name": fmt.Sprint("c", i)}, "bob@example.com", 1); err != nil {
				return err
			}
		}
		if _, err := w.AddCluster(map[string]any{"cluster_name": "bad", "spark_conf": map[string]any{"x": 1.0}}, "bob@example.com", 1); err == nil {
			return fmt.Errorf("a number in spark_conf was accepted")
		}
		return nil
	})
	var p struct {
		Clusters []map[string]any `json:"clusters"`
		Next     string           `json:"next_page_token"`
	}
	get(t, srv, "/api/2.1/clusters/list", &p)
	if len(p.Clusters) != 100 || p.Next == "" || p.Clusters[0]["creator_user_name"] != "bob@example.com" {
		t.Fatalf("first page: %d, next %q", len(p.Clusters), p.Next)
	}
	p2 := p
	p2.Next = ""
	get(t, srv, "/api/2.1/clusters/list?page_token="+p.Next, &p2)
	if len(p2.Clusters) != 1 || p2.Next != "" {
		t.Fatalf("second page: %d, next %q", len(p2.Clusters), p2.Next)
	}
}

func TestMetastoreSummaryAndModelProviderServices(t *testing.T) {
	srv := serve(t, func(w *workspace.Workspace) error { return nil })
	if code := get(t, srv, "/api/2.1/unity-catalog/metastore_summary", nil); code != 404 {
		t.Errorf("no metastore: status %d, want 404", code)
	}
	const owner = "deployer@emulator.invalid"
	srv = serve(t, func(w *workspace.Workspace) error {
		if err := w.SetMetastore("main", "metastore-admins"); err != nil {
			return err
		}
		if _, err := w.SeedSchema("ai.keys", owner, 1); err != nil {
			return err
		}
		if _, err := w.CreateUCSecret(workspace.UCSecretSpec{CatalogName: "ai", SchemaName: "keys", Name: "openai",
			ValueSha256: workspace.Digest("sk-test-x"), ValueLen: 9}, owner, 1); err != nil {
			return err
		}
		config := map[string]any{"openai": map[string]any{"direct": map[string]any{"apiKey": map[string]any{"secretReference": map[string]any{"name": "secrets/ai.keys.openai"}}}}}
		_, err := w.PutModelProviderService("schemas/ai.keys", "gw", owner, []string{"secrets/ai.keys.openai"}, config, true, 1)
		return err
	})
	var m map[string]any
	get(t, srv, "/api/2.1/unity-catalog/metastore_summary", &m)
	if m["owner"] != "metastore-admins" || m["name"] != "main" || m["metastore_id"] == "" {
		t.Errorf("summary: %v", m)
	}
	var l struct {
		Services []struct {
			Name   string         `json:"name"`
			Owner  string         `json:"effective_owner"`
			Config map[string]any `json:"config"`
		} `json:"model_provider_services"`
	}
	get(t, srv, "/api/2.1/unity-catalog/model-provider-services?parent=schemas/ai.keys&view=FULL", &l)
	if len(l.Services) != 1 || l.Services[0].Name != "model-provider-services/ai.keys.gw" || l.Services[0].Owner != owner {
		t.Fatalf("services: %+v", l)
	}
	ref := l.Services[0].Config["openai"].(map[string]any)["direct"].(map[string]any)["api_key"].(map[string]any)["secret_reference"].(map[string]any)["name"]
	if ref != "secrets/ai.keys.openai" {
		t.Errorf("secret_reference: %v", l.Services[0].Config)
	}
	if code := get(t, srv, "/api/2.1/unity-catalog/model-provider-services?parent=ai.keys", nil); code != 400 {
		t.Errorf("bad parent: status %d, want 400", code)
	}
}
