package provider

// Model Serving endpoints and AI Gateway model provider services.
//
//   - ModelServing (terraform-provider-databricks serving/resource_model_serving.go):
//     id is the endpoint name; name is ForceNew; config is Optional+Computed
//     and updates in place. Every `{{secrets/<scope>/<key>}}` in config must
//     name an existing secret the caller can READ ("The endpoint creator must
//     have READ access to the Databricks secrets being referenced in the
//     configs", Model Serving docs "Configure access to resources from model
//     serving endpoints"); external-model key fields take only a reference,
//     their *Plaintext twins a value.
//   - AiGatewayModelProviderService (pulumi-databricks 1.118.0): parent and
//     modelProviderServiceId name it (`model-provider-services/<c>.<s>.<id>`);
//     each `secretReference.name` is `secrets/<c>.<s>.<secret>`, an existing
//     UC secret the caller may reference; `plaintext` is input-only and never
//     read back (the enclosing object stays).
//
// The emulator keeps references, never values, and never resolves a
// reference into the state.

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"llmkeyvault/emulator/internal/workspace"
)

// Type tokens (pulumi-databricks 1.118.0).
const (
	TokenModelServing         = "databricks:index/modelServing:ModelServing"
	TokenModelProviderService = "databricks:index/aiGatewayModelProviderService:AiGatewayModelProviderService"
)

// externalModelConfigs maps external_model.provider to its config block
// (ModelServingConfigServedEntityExternalModel*Config in the typed SDK).
var externalModelConfigs = map[string]string{
	"ai21labs":                 "ai21labsConfig",
	"amazon-bedrock":           "amazonBedrockConfig",
	"anthropic":                "anthropicConfig",
	"cohere":                   "cohereConfig",
	"custom":                   "customProviderConfig",
	"databricks-model-serving": "databricksModelServingConfig",
	"google-cloud-vertex-ai":   "googleCloudVertexAiConfig",
	"openai":                   "openaiConfig",
	"palm":                     "palmConfig",
}

// credentialFields are the external-model fields that take a secret
// reference; each has a "<field>Plaintext" twin for a plain value.
var credentialFields = map[string][]string{
	"ai21labsConfig":               {"ai21labsApiKey"},
	"amazonBedrockConfig":          {"awsAccessKeyId", "awsSecretAccessKey"},
	"anthropicConfig":              {"anthropicApiKey"},
	"cohereConfig":                 {"cohereApiKey"},
	"databricksModelServingConfig": {"databricksApiToken"},
	"googleCloudVertexAiConfig":    {"privateKey"},
	"openaiConfig":                 {"openaiApiKey", "microsoftEntraClientSecret"},
	"palmConfig":                   {"palmApiKey"},
}

var wholeRefRe = regexp.MustCompile(`^\{\{secrets/[^/{}\s]+/[^/{}\s]+\}\}$`)

// walkStrings calls fn for every known string in v with its path.
func walkStrings(path string, v resource.PropertyValue, fn func(path, s string)) {
	v = unwrap(v)
	switch {
	case v.IsString():
		fn(path, v.StringValue())
	case v.IsObject():
		for k, e := range v.ObjectValue() {
			walkStrings(path+"."+string(k), e, fn)
		}
	case v.IsArray():
		for i, e := range v.ArrayValue() {
			walkStrings(fmt.Sprintf("%s[%d]", path, i), e, fn)
		}
	}
}

// secretRefs lists every `{{secrets/<scope>/<key>}}` in v, sorted.
func secretRefs(v resource.PropertyValue) []string {
	var refs []string
	walkStrings("config", v, func(_, s string) {
		refs = append(refs, workspace.SecretRefRe.FindAllString(s, -1)...)
	})
	sort.Strings(refs)
	return refs
}

// sanitized is v as plain data to keep in the workspace: every field named
// like a plaintext credential is removed (the API never returns them), and any
// other secret value becomes the digest placeholder of withoutSecrets, so the
// workspace file never holds a value.
func sanitized(v resource.PropertyValue) map[string]any {
	v = plain(withoutSecrets(v))
	if !v.IsObject() {
		return nil
	}
	var drop func(any) any
	drop = func(x any) any {
		switch t := x.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, e := range t {
				if strings.HasSuffix(k, "Plaintext") || k == "plaintext" {
					continue
				}
				out[k] = drop(e)
			}
			return out
		case []any:
			out := make([]any, len(t))
			for i, e := range t {
				out[i] = drop(e)
			}
			return out
		}
		return x
	}
	return drop(v.ObjectValue().Mappable()).(map[string]any)
}

// withoutSecrets replaces every secret string with "(secret: sha256 <digest>)".
func withoutSecrets(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		inner := unwrap(v)
		if inner.IsString() {
			return resource.NewStringProperty("(secret: sha256 " + workspace.Digest(inner.StringValue()) + ")")
		}
		return withoutSecrets(inner)
	case v.IsOutput() && v.OutputValue().Known:
		return withoutSecrets(v.OutputValue().Element)
	}
	return mapElements(v, withoutSecrets)
}

func fromMappable(m map[string]any) resource.PropertyValue {
	return resource.NewObjectProperty(resource.NewPropertyMapFromMap(m))
}

// invalidParam is the API's INVALID_PARAMETER_VALUE error.
func invalidParam(format string, args ...any) error {
	return &workspace.APIError{Code: workspace.CodeInvalidParam, Message: fmt.Sprintf(format, args...)}
}

// checkExternalModels applies the API's rules to config.servedEntities[].externalModel.
func checkExternalModels(config resource.PropertyValue) error {
	cfg, ok := asObject(config)
	if !ok {
		return nil
	}
	entities := unwrap(cfg[pk("servedEntities")])
	for i, ent := range arrayObjects(entities) {
		em, ok := get(ent, "externalModel").obj()
		if !ok {
			continue
		}
		if n := len(entities.ArrayValue()); n > 1 {
			return invalidParam(
				"config.servedEntities has %d entities: an endpoint that serves an external model serves exactly one entity", n)
		}
		at := fmt.Sprintf("config.servedEntities[%d].externalModel", i)
		provider, _ := get(em, "provider").str()
		block, known := externalModelConfigs[provider]
		if !known {
			var names []string
			for k := range externalModelConfigs {
				names = append(names, k)
			}
			sort.Strings(names)
			return invalidParam(
				"%s.provider %q is not supported; supported providers: %s", at, provider, strings.Join(names, ", "))
		}
		if task, ok := get(em, "task").str(); ok && !strings.HasPrefix(task, "llm/v1/") {
			return invalidParam(
				"%s.task %q is not supported: expected llm/v1/chat, llm/v1/completions or llm/v1/embeddings", at, task)
		}
		bc, ok := get(em, block).obj()
		if !ok {
			return invalidParam(
				"%s: provider %q needs %s", at, provider, block)
		}
		for _, f := range credentialFields[block] {
			ref, hasRef := get(bc, f).str()
			if hasRef && !wholeRefRe.MatchString(strings.TrimSpace(ref)) {
				return invalidParam(
					"%s.%s.%s must be a secret reference of the form {{secrets/<scope>/<key>}}; a plain value goes in %sPlaintext",
					at, block, f, f)
			}
			if hasRef && get(bc, f+"Plaintext").present {
				return invalidParam(
					"%s.%s: only one of %s and %sPlaintext may be set", at, block, f, f)
			}
		}
	}
	return nil
}

// --- ModelServing ----------------------------------------------------------

func checkModelServing(s *Server, call *checkCall) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	return checkWithProviderConfig(call, func(c *checker, ins resource.PropertyMap) {
		c.requireString(ins, "name")
		c.optionalObject(ins, "config")
		c.optionalString(ins, "description")
		c.optionalString(ins, "budgetPolicyId")
	})
}

func servingOutputs(ins resource.PropertyMap, e *workspace.ServingEndpoint) resource.PropertyMap {
	outs := ins.Copy()
	outs[pk("servingEndpointId")] = resource.NewStringProperty(e.ID)
	return outs
}

func putServing(s *Server, ctx context.Context, op string, news resource.PropertyMap) (*workspace.ServingEndpoint, error) {
	name, _ := get(news, "name").str()
	config := news[pk("config")]
	if err := checkExternalModels(config); err != nil {
		return nil, err
	}
	refs := secretRefs(config)
	return mutateValue(s, ctx, workspace.KindServing, op, name, func(w *workspace.Workspace, now int64) (*workspace.ServingEndpoint, error) {
		return w.PutServingEndpoint(name, s.identity(), refs, sanitized(config), op == "create", now)
	})
}

func createModelServing(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, error) {
	if call.Preview {
		outs := call.News.Copy()
		outs[pk("servingEndpointId")] = computed()
		return "", outs, nil
	}
	e, err := putServing(s, ctx, "create", call.News)
	if err != nil {
		return "", nil, fmt.Errorf("cannot create model serving: %w", err)
	}
	return e.Name, servingOutputs(call.News, e), nil
}

func updateModelServing(s *Server, ctx context.Context, call *opCall) (resource.PropertyMap, error) {
	if call.Preview {
		outs := call.News.Copy()
		if v, ok := call.Olds[pk("servingEndpointId")]; ok {
			outs[pk("servingEndpointId")] = v
		}
		if !get(outs, "config").present {
			if v, ok := call.Olds[pk("config")]; ok {
				outs[pk("config")] = v
			}
		}
		return outs, nil
	}
	news := call.News
	if !get(news, "config").present { // removing config is a no-op (config is computed)
		news = news.Copy()
		if v, ok := call.Olds[pk("config")]; ok {
			news[pk("config")] = v
		}
	}
	e, err := putServing(s, ctx, "update", news)
	if err != nil {
		return nil, fmt.Errorf("cannot update model serving: %w", err)
	}
	return servingOutputs(news, e), nil
}

func readModelServing(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, resource.PropertyMap, error) {
	var e *workspace.ServingEndpoint
	err := s.read(ctx, workspace.KindServing, func(w *workspace.Workspace) error {
		e = w.ServingEndpoints[call.ID]
		return nil
	})
	if err != nil {
		return "", nil, nil, err
	}
	if e == nil {
		return "", nil, nil, nil
	}
	base := call.Olds
	if len(base) == 0 {
		base = resource.PropertyMap{"name": resource.NewStringProperty(e.Name)}
		if e.Config != nil {
			base[pk("config")] = fromMappable(e.Config)
		}
	}
	outs := servingOutputs(base, e)
	ins := readInputs(call.News, outs, "name", "config", "providerConfig")
	return call.ID, outs, ins, nil
}

// --- AiGatewayModelProviderService -----------------------------------------

func checkModelProviderService(s *Server, call *checkCall) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	return checkWithProviderConfig(call, func(c *checker, ins resource.PropertyMap) {
		c.requireString(ins, "parent")
		c.requireString(ins, "modelProviderServiceId")
		c.optionalString(ins, "comment")
		if !get(ins, "config").present {
			c.fail("config", "Missing required property 'config' (required on Create)")
		} else if cfg, ok := c.optionalObject(ins, "config"); ok {
			c.requireString(cfg, "providerType")
		}
	})
}

// ucSecretRefs lists every secretReference.name in v.
func ucSecretRefs(v resource.PropertyValue) []string {
	var refs []string
	walkStrings("config", v, func(path, s string) {
		if strings.HasSuffix(path, ".secretReference.name") {
			refs = append(refs, s)
		}
	})
	sort.Strings(refs)
	return refs
}

func mpsOutputs(ins resource.PropertyMap, m *workspace.ModelProviderService) resource.PropertyMap {
	outs := ins.Copy()
	if cfg, ok := outs[pk("config")]; ok && !cfg.ContainsUnknowns() {
		// plaintext is input-only: the API omits it and keeps the enclosing object.
		outs[pk("config")] = fromMappable(sanitized(cfg))
	}
	setStrings(outs, map[string]string{
		"name": m.Name, "effectiveOwner": m.Owner, "createdBy": m.CreatedBy, "updatedBy": m.CreatedBy,
		"createTime": rfc3339(m.CreatedMs), "updateTime": rfc3339(m.UpdatedMs), "etag": fmt.Sprint(m.UpdatedMs),
		"metastoreId": emulatedMetastore,
	})
	return outs
}

func putMPS(s *Server, ctx context.Context, op string, news resource.PropertyMap) (*workspace.ModelProviderService, error) {
	parent, _ := get(news, "parent").str()
	id, _ := get(news, "modelProviderServiceId").str()
	config := news[pk("config")]
	refs := ucSecretRefs(config)
	return mutateValue(s, ctx, workspace.KindProviderSvc, op, parent+"/"+id, func(w *workspace.Workspace, now int64) (*workspace.ModelProviderService, error) {
		return w.PutModelProviderService(parent, id, s.identity(), refs, sanitized(config), op == "create", now)
	})
}

func mpsPreview(news, olds resource.PropertyMap) resource.PropertyMap {
	outs := news.Copy()
	for _, k := range []string{"name", "effectiveOwner", "createdBy", "updatedBy", "createTime", "updateTime", "etag", "metastoreId"} {
		if v, ok := olds[pk(k)]; ok {
			outs[pk(k)] = v
		} else {
			outs[pk(k)] = computed()
		}
	}
	return outs
}

func createModelProviderService(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, error) {
	if call.Preview {
		return "", mpsPreview(call.News, nil), nil
	}
	m, err := putMPS(s, ctx, "create", call.News)
	if err != nil {
		return "", nil, fmt.Errorf("failed to create ai_gateway_model_provider_service: %w", err)
	}
	return missingID, mpsOutputs(call.News, m), nil
}

func updateModelProviderService(s *Server, ctx context.Context, call *opCall) (resource.PropertyMap, error) {
	oldType, _ := configProviderType(call.OldInputs)
	newType, _ := configProviderType(call.News)
	if oldType != "" && newType != "" && oldType != newType {
		return nil, fmt.Errorf("failed to update ai_gateway_model_provider_service: %w", invalidParam("config.provider_type is immutable after Create"))
	}
	if call.Preview {
		return mpsPreview(call.News, call.Olds), nil
	}
	m, err := putMPS(s, ctx, "update", call.News)
	if err != nil {
		return nil, fmt.Errorf("failed to update ai_gateway_model_provider_service: %w", err)
	}
	return mpsOutputs(call.News, m), nil
}

func configProviderType(m resource.PropertyMap) (string, bool) {
	cfg, ok := get(m, "config").obj()
	if !ok {
		return "", false
	}
	return get(cfg, "providerType").str()
}

func readModelProviderService(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, resource.PropertyMap, error) {
	m, found, err := readNamed(s, ctx, call, "name", workspace.KindProviderSvc, "", (*workspace.Workspace).ModelProviderServiceByName)
	if !found {
		return "", nil, nil, err
	}
	base := call.Olds
	if len(base) == 0 {
		parts := strings.SplitN(m.FullName, ".", 3)
		base = resource.PropertyMap{
			"parent":                 resource.NewStringProperty(m.Parent),
			"modelProviderServiceId": resource.NewStringProperty(parts[2]),
		}
		if m.Config != nil {
			base[pk("config")] = fromMappable(m.Config)
		}
	}
	outs := mpsOutputs(base, m)
	ins := readInputs(call.News, outs, "parent", "modelProviderServiceId", "comment", "config", "providerConfig")
	return call.ID, outs, ins, nil
}
