package httpapi

// Jobs, clusters, the metastore summary and AI Gateway model provider
// services, with the shapes and paging of the official API as
// databricks-sdk-py 0.167.0 sends and reads them (service/jobs.py BaseJob,
// Job, JobSettings; service/compute.py ListClustersResponse, ClusterDetails;
// service/catalog.py GetMetastoreSummaryResponse, ModelProviderService):
//
//	GET /api/2.2/jobs/list     limit (1..100, default 20), page_token, expand_tasks,
//	                           name; newest job first; with expand_tasks each
//	                           job's first 100 tasks and job clusters, has_more
//	                           when there are more (the SDK then calls jobs/get)
//	GET /api/2.2/jobs/get      job_id, page_token: 100 tasks and job clusters a page
//	GET /api/2.1/clusters/list page_size (default and most 100), page_token
//	GET /api/2.1/unity-catalog/metastore_summary
//	GET /api/2.1/unity-catalog/model-provider-services  parent (schemas/<c>.<s>),
//	                           page_size (default 200), page_token, view

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"llmkeyvault/emulator/internal/workspace"
)

func init() {
	routes = append(routes,
		route{"jobs/list", regexp.MustCompile(`^/api/2\.2/jobs/list$`), (*Server).listJobs},
		route{"jobs/get", regexp.MustCompile(`^/api/2\.2/jobs/get$`), (*Server).getJob},
		route{"clusters/list", regexp.MustCompile(`^/api/2\.1/clusters/list$`), (*Server).listClusters},
		route{"uc/metastore_summary", regexp.MustCompile(`^/api/2\.1/unity-catalog/metastore_summary$`), (*Server).metastoreSummary},
		route{"uc/model-provider-services/list", regexp.MustCompile(`^/api/2\.1/unity-catalog/model-provider-services$`), (*Server).listModelProviderServices},
	)
}

// Paging limits of the real API.
const (
	jobsDefaultLimit    = 20
	jobsMaxLimit        = 100
	jobArraysPerPage    = 100 // tasks and job clusters per job in a list or get page
	clustersMaxPageSize = 100
	servicesDefaultPage = 200
	servicesMaxPage     = 1000
)

// intParam reads a non-negative integer query parameter (def when absent).
func intParam(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fail(http.StatusBadRequest, workspace.CodeInvalidParam, "%s must be a number >= 0", name)
	}
	return n, nil
}

// page cuts [from, from+size) out of n items, the start read from page_token
// (an offset, opaque to clients), and returns the next and previous tokens.
func page(r *http.Request, n, size int) (from, to int, next, prev string, err error) {
	if tok := r.URL.Query().Get("page_token"); tok != "" {
		v, cerr := strconv.Atoi(tok)
		if cerr != nil || v < 0 {
			return 0, 0, "", "", fail(http.StatusBadRequest, workspace.CodeInvalidParam, "invalid page_token")
		}
		from = min(v, n)
	}
	to = min(from+size, n)
	if to < n {
		next = strconv.Itoa(to)
	}
	if from > 0 {
		prev = strconv.Itoa(max(from-size, 0))
	}
	return from, to, next, prev, nil
}

func withTokens(out map[string]any, next, prev string) map[string]any {
	if next != "" {
		out["next_page_token"] = next
	}
	if prev != "" {
		out["prev_page_token"] = prev
	}
	return out
}

// jobSettings copies a job's settings; with arrays, tasks and job_clusters
// are cut to [from, from+jobArraysPerPage) and more tells whether either has
// more; without, both are left out (jobs/list without expand_tasks).
func jobSettings(j *workspace.Job, arrays bool, from int) (settings map[string]any, more bool) {
	settings = make(map[string]any, len(j.Settings))
	for k, v := range j.Settings {
		settings[k] = v
	}
	for _, name := range []string{"tasks", "job_clusters"} {
		items, _ := j.Settings[name].([]any)
		delete(settings, name)
		if !arrays || len(items) == 0 {
			continue
		}
		lo := min(from, len(items))
		hi := min(lo+jobArraysPerPage, len(items))
		if hi < len(items) {
			more = true
		}
		if hi > lo {
			settings[name] = items[lo:hi]
		}
	}
	return settings, more
}

func baseJob(j *workspace.Job, settings map[string]any) map[string]any {
	return map[string]any{"job_id": j.JobID, "creator_user_name": j.CreatorUserName, "created_time": j.CreatedTime,
		"settings": settings}
}

func (s *Server) listJobs(w *workspace.Workspace, r *http.Request, _ []string) (any, error) {
	q := r.URL.Query()
	limit, err := intParam(r, "limit", jobsDefaultLimit)
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = jobsDefaultLimit
	}
	if limit > jobsMaxLimit {
		return nil, fail(http.StatusBadRequest, workspace.CodeInvalidParam, "limit must be between 1 and %d", jobsMaxLimit)
	}
	expand := q.Get("expand_tasks") == "true"
	name := strings.ToLower(q.Get("name"))
	all := w.SortedJobs()
	jobs := make([]*workspace.Job, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- { // the most recently created first
		if n, _ := all[i].Settings["name"].(string); name == "" || strings.ToLower(n) == name {
			jobs = append(jobs, all[i])
		}
	}
	from, to, next, prev, err := page(r, len(jobs), limit)
	if err != nil {
		return nil, err
	}
	if q.Get("page_token") == "" {
		if from, err = intParam(r, "offset", 0); err != nil {
			return nil, err
		}
		from = min(from, len(jobs))
		to = min(from+limit, len(jobs))
		next = ""
		if to < len(jobs) {
			next = strconv.Itoa(to)
		}
	}
	out := map[string]any{"has_more": next != ""}
	if to > from {
		list := make([]map[string]any, 0, to-from)
		for _, j := range jobs[from:to] {
			settings, more := jobSettings(j, expand, 0)
			item := baseJob(j, settings)
			if expand {
				item["has_more"] = more
			}
			list = append(list, item)
		}
		out["jobs"] = list
	}
	return withTokens(out, next, prev), nil
}

func (s *Server) getJob(w *workspace.Workspace, r *http.Request, _ []string) (any, error) {
	id, err := query(r, "job_id")
	if err != nil {
		return nil, err
	}
	j := w.Jobs[id]
	if j == nil {
		return nil, fail(http.StatusBadRequest, workspace.CodeInvalidParam, "Job %s does not exist.", id)
	}
	from := 0
	if tok := r.URL.Query().Get("page_token"); tok != "" {
		if from, err = strconv.Atoi(tok); err != nil || from < 0 {
			return nil, fail(http.StatusBadRequest, workspace.CodeInvalidParam, "invalid page_token")
		}
	}
	settings, more := jobSettings(j, true, from)
	out := baseJob(j, settings)
	if more {
		out["next_page_token"] = strconv.Itoa(from + jobArraysPerPage)
	}
	return out, nil
}

func (s *Server) listClusters(w *workspace.Workspace, r *http.Request, _ []string) (any, error) {
	size, err := intParam(r, "page_size", clustersMaxPageSize)
	if err != nil {
		return nil, err
	}
	if size == 0 || size > clustersMaxPageSize {
		size = clustersMaxPageSize
	}
	all := w.SortedClusters()
	from, to, next, prev, err := page(r, len(all), size)
	if err != nil {
		return nil, err
	}
	list := make([]map[string]any, 0, to-from)
	for _, c := range all[from:to] {
		item := make(map[string]any, len(c.Spec)+4)
		for k, v := range c.Spec {
			item[k] = v
		}
		item["cluster_id"] = c.ClusterID
		item["creator_user_name"] = c.CreatorUserName
		item["cluster_source"] = "UI"
		item["state"] = "TERMINATED"
		list = append(list, item)
	}
	return withTokens(map[string]any{"clusters": list}, next, prev), nil
}

func (s *Server) metastoreSummary(w *workspace.Workspace, _ *http.Request, _ []string) (any, error) {
	m := w.Metastore
	if m == nil {
		return nil, fail(http.StatusNotFound, "METASTORE_DOES_NOT_EXIST", "No metastore assigned for the current workspace.")
	}
	return map[string]any{"metastore_id": m.ID, "name": m.Name, "owner": m.Owner, "default_data_access_config_id": "",
		"delta_sharing_scope": "INTERNAL", "privilege_model_version": "1.0"}, nil
}

func (s *Server) listModelProviderServices(w *workspace.Workspace, r *http.Request, _ []string) (any, error) {
	parent, err := query(r, "parent")
	if err != nil {
		return nil, err
	}
	schema := strings.ToLower(strings.TrimPrefix(parent, "schemas/"))
	if !strings.HasPrefix(parent, "schemas/") || strings.Count(schema, ".") != 1 {
		return nil, fail(http.StatusBadRequest, workspace.CodeInvalidParam, "Invalid parent %q: expected schemas/{catalog}.{schema}", parent)
	}
	if _, err := w.Schema(schema); err != nil {
		return nil, err
	}
	size, err := intParam(r, "page_size", servicesDefaultPage)
	if err != nil {
		return nil, err
	}
	if size == 0 {
		size = servicesDefaultPage
	}
	size = min(size, servicesMaxPage)
	var names []string
	for full, svc := range w.ModelProviderServices {
		if svc.Parent == "schemas/"+schema {
			names = append(names, full)
		}
	}
	sort.Strings(names)
	from, to, next, _, err := page(r, len(names), size)
	if err != nil {
		return nil, err
	}
	list := make([]map[string]any, 0, to-from)
	for _, n := range names[from:to] {
		svc := w.ModelProviderServices[n]
		item := map[string]any{"name": svc.Name, "created_by": svc.CreatedBy, "effective_owner": svc.Owner,
			"create_time": rfc3339(svc.CreatedMs), "update_time": rfc3339(svc.UpdatedMs), "updated_by": svc.CreatedBy}
		if svc.Config != nil {
			item["config"] = snake(svc.Config, false)
		}
		list = append(list, item)
	}
	return withTokens(map[string]any{"model_provider_services": list}, next, ""), nil
}
