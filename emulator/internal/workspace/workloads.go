package workspace

// Jobs, all-purpose clusters and the Unity Catalog metastore: only what the
// REST mode lists (internal/httpapi) for clients that look for secret
// references. They are seeded with the emulator CLI (add-job, add-cluster,
// set-metastore); no Pulumi resource creates them. Their settings are kept as
// the REST API takes them (snake_case JSON, as `databricks jobs create --json`
// and `databricks clusters create --json` send it); a `{{secrets/<scope>/<key>}}`
// in spark_conf or spark_env_vars is a reference, resolved when the cluster
// starts ("Use a secret in a Spark configuration property or environment
// variable", Databricks docs), so it is not checked here.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// Job is a Databricks job: its id, creator and settings (JobSettings).
type Job struct {
	JobID           int64          `json:"jobId"`
	CreatorUserName string         `json:"creatorUserName"`
	CreatedTime     int64          `json:"createdTime"`
	Settings        map[string]any `json:"settings"`
}

// Cluster is an all-purpose cluster: its id, creator and spec (ClusterSpec).
type Cluster struct {
	ClusterID       string         `json:"clusterId"`
	CreatorUserName string         `json:"creatorUserName"`
	Spec            map[string]any `json:"spec"`
}

// Metastore is the Unity Catalog metastore assigned to the workspace.
type Metastore struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Owner string `json:"owner"`
}

// clusterSpecs are the ClusterSpec objects of a job's settings with their
// field paths: each job cluster's new_cluster and each task's new_cluster.
func clusterSpecs(settings map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, list := range []string{"job_clusters", "tasks"} {
		items, _ := settings[list].([]any)
		for i, it := range items {
			m, _ := it.(map[string]any)
			if spec, ok := m["new_cluster"].(map[string]any); ok {
				out[fmt.Sprintf("settings.%s[%d].new_cluster", list, i)] = spec
			}
		}
	}
	return out
}

// checkSpec refuses a spark_conf or spark_env_vars that is not an object of
// strings, as the API does (both are `map<string, string>`).
func checkSpec(where string, spec map[string]any) error {
	for _, f := range []string{"spark_conf", "spark_env_vars"} {
		v, ok := spec[f]
		if !ok {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return apiErr(CodeInvalidParam, "%s.%s must be an object of strings", where, f)
		}
		for k, x := range m {
			if _, ok := x.(string); !ok {
				return apiErr(CodeInvalidParam, "%s.%s.%s must be a string", where, f, k)
			}
		}
	}
	return nil
}

// AddJob creates a job with settings (a JobSettings object: name, tasks,
// job_clusters, ...) and returns it; ids count up from 1.
func (w *Workspace) AddJob(settings map[string]any, creator string, nowMs int64) (*Job, error) {
	if name, _ := settings["name"].(string); strings.TrimSpace(name) == "" {
		return nil, apiErr(CodeInvalidParam, "settings.name is required")
	}
	for _, list := range []string{"job_clusters", "tasks"} {
		if v, ok := settings[list]; ok {
			if _, ok := v.([]any); !ok {
				return nil, apiErr(CodeInvalidParam, "settings.%s must be a list", list)
			}
		}
	}
	specs := clusterSpecs(settings)
	paths := make([]string, 0, len(specs))
	for p := range specs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := checkSpec(p, specs[p]); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(creator) == "" {
		return nil, apiErr(CodeInvalidParam, "creator is required")
	}
	id := int64(1)
	for _, j := range w.Jobs {
		id = max(id, j.JobID+1)
	}
	j := &Job{JobID: id, CreatorUserName: creator, CreatedTime: nowMs, Settings: settings}
	w.Jobs[fmt.Sprint(id)] = j
	return j, nil
}

// SortedJobs returns the jobs by id.
func (w *Workspace) SortedJobs() []*Job {
	out := make([]*Job, 0, len(w.Jobs))
	for _, j := range w.Jobs {
		out = append(out, j)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].JobID < out[b].JobID })
	return out
}

// AddCluster creates an all-purpose cluster with spec (a ClusterSpec:
// cluster_name, spark_conf, spark_env_vars, ...) and returns it.
func (w *Workspace) AddCluster(spec map[string]any, creator string, nowMs int64) (*Cluster, error) {
	name, _ := spec["cluster_name"].(string)
	if strings.TrimSpace(name) == "" {
		return nil, apiErr(CodeInvalidParam, "cluster_name is required")
	}
	if err := checkSpec("cluster", spec); err != nil {
		return nil, err
	}
	if strings.TrimSpace(creator) == "" {
		return nil, apiErr(CodeInvalidParam, "creator is required")
	}
	// Cluster ids look like the service's: <mmdd>-<hhmmss>-<8 characters>.
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d\x00%d", name, len(w.Clusters), nowMs)))
	id := fmt.Sprintf("0101-%06d-%s", len(w.Clusters)+1, hex.EncodeToString(sum[:4]))
	c := &Cluster{ClusterID: id, CreatorUserName: creator, Spec: spec}
	w.Clusters[id] = c
	return c, nil
}

// SortedClusters returns the clusters by id.
func (w *Workspace) SortedClusters() []*Cluster {
	ids := make([]string, 0, len(w.Clusters))
	for id := range w.Clusters {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]*Cluster, 0, len(ids))
	for _, id := range ids {
		out = append(out, w.Clusters[id])
	}
	return out
}

// SetMetastore assigns a metastore to the workspace (or changes its owner).
func (w *Workspace) SetMetastore(name, owner string) error {
	if !ValidUCName(lower(name)) {
		return invalidUCName("metastore", name)
	}
	if strings.TrimSpace(owner) == "" {
		return apiErr(CodeInvalidParam, "owner is required")
	}
	sum := sha256.Sum256([]byte(lower(name)))
	h := hex.EncodeToString(sum[:16])
	w.Metastore = &Metastore{ID: h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], Name: name, Owner: owner}
	return nil
}
