package main

// Commands that seed what the REST mode lists for an audit of secret
// references: jobs, clusters, AI Gateway model provider services, and the
// metastore assigned to the workspace.

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"llmkeyvault/emulator/internal/provider"
	"llmkeyvault/emulator/internal/workspace"
)

const workloadsUsage = `
Jobs, clusters, model provider services and the metastore (what an audit lists):
  add-job       [--dir D] --json JSON|@FILE [--creator P]
                a job from its settings as "databricks jobs create --json" takes them
                (name, tasks[].new_cluster, job_clusters[].new_cluster, ...)
  add-cluster   [--dir D] --json JSON|@FILE [--creator P]
                a cluster from its spec as "databricks clusters create --json" takes it
                (cluster_name, spark_conf, spark_env_vars, ...)
  add-model-provider-service [--dir D] --parent schemas/<catalog>.<schema> --id ID
                --provider openai|anthropic --secret-reference secrets/<catalog>.<schema>.<secret> [--caller P]
  set-metastore [--dir D] --name N --owner P   the metastore's owner is its admin
`

// jsonFlag reads --json: inline JSON, or @FILE.
func jsonFlag(v string) (map[string]any, error) {
	if v == "" {
		return nil, errors.New("--json is required")
	}
	data := []byte(v)
	if strings.HasPrefix(v, "@") {
		b, err := os.ReadFile(v[1:])
		if err != nil {
			return nil, err
		}
		data = b
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("--json: not a JSON object: %v", err)
	}
	return out, nil
}

func init() {
	commands["add-job"] = command{flags: specCommand("job", "the job's settings", func(w *workspace.Workspace, spec map[string]any, creator string, now int64) (string, error) {
		j, err := w.AddJob(spec, creator, now)
		if err != nil {
			return "", err
		}
		return fmt.Sprint(j.JobID), nil
	})}
	commands["add-cluster"] = command{flags: specCommand("cluster", "the cluster's spec", func(w *workspace.Workspace, spec map[string]any, creator string, now int64) (string, error) {
		c, err := w.AddCluster(spec, creator, now)
		if err != nil {
			return "", err
		}
		return c.ClusterID, nil
	})}
	commands["add-model-provider-service"] = command{flags: func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		parent := fs.String("parent", "", "schemas/<catalog>.<schema>")
		id := fs.String("id", "", "the service's name in the schema")
		kind := fs.String("provider", "openai", "openai or anthropic")
		ref := fs.String("secret-reference", "", "secrets/<catalog>.<schema>.<secret> holding the API key")
		caller := fs.String("caller", provider.DefaultIdentity, "the principal that creates (and owns) it")
		return func(w *workspace.Workspace, now int64) error {
			types := map[string]string{"openai": "EXTERNAL_MODEL_PROVIDER_TYPE_OPENAI", "anthropic": "EXTERNAL_MODEL_PROVIDER_TYPE_ANTHROPIC"}
			providerType, ok := types[*kind]
			if !ok {
				return fmt.Errorf("--provider must be openai or anthropic, not %q", *kind)
			}
			// The stored config is in the Pulumi resource's (camelCase) form, as the plugin keeps it.
			config := map[string]any{"providerType": providerType,
				*kind: map[string]any{"direct": map[string]any{"apiKey": map[string]any{"secretReference": map[string]any{"name": *ref}}}}}
			_, err := w.PutModelProviderService(*parent, *id, *caller, []string{*ref}, config, true, now)
			logCLI(w, workspace.KindProviderSvc, "add-model-provider-service", *parent+"/"+*id, now)
			return err
		}
	}}
	commands["set-metastore"] = command{flags: func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		name := fs.String("name", "", "metastore name")
		owner := fs.String("owner", "", "its owner, a user or group (the metastore admin)")
		return func(w *workspace.Workspace, now int64) error {
			logCLI(w, "metastore", "set-metastore", *name, now)
			return w.SetMetastore(*name, *owner)
		}
	}}
}

// specCommand is add-job or add-cluster: an object from --json, made by --creator.
func specCommand(kind, what string, add func(*workspace.Workspace, map[string]any, string, int64) (string, error)) func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
	return func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		spec := fs.String("json", "", what+" (JSON, or @FILE)")
		creator := fs.String("creator", provider.DefaultIdentity, "the "+kind+"'s creator")
		return func(w *workspace.Workspace, now int64) error {
			s, err := jsonFlag(*spec)
			if err != nil {
				return err
			}
			id, err := add(w, s, *creator, now)
			if err == nil {
				logCLI(w, kind, "add-"+kind, id, now)
			}
			return err
		}
	}
}
