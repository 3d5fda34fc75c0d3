package provider

// Unity Catalog resources: SecretUc, Grants, Grant and Schema, with the type
// tokens and wire names of pulumi-databricks 1.118.0. What replaces and what
// updates in place follows terraform-provider-databricks:
//   - SecretUc (internal/providers/pluginfw/products/secret_uc): catalog_name,
//     schema_name and name RequiresReplace; comment, expire_time, owner and
//     value update in place (update mask "comment,expire_time,owner,value").
//     Read keeps value and owner from the prior state (input-only fields).
//     Id and import id: the full name.
//   - Grants (catalog/resource_grants.go): the securable field is ForceNew,
//     the grant set updates in place; id "<securable>/<name>"; Read of an
//     empty list is "not found"; Delete removes every grant.
//   - Grant (catalog/resource_grant.go): securable and principal ForceNew,
//     privileges in place; id "<securable>/<name>/<principal>".
//   - Schema (catalog/resource_schema.go): name, catalog_name, storage_root
//     ForceNew (names compared without case); id the full name; Delete
//     passes force_destroy as force.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"llmkeyvault/emulator/internal/workspace"
)

// Type tokens of the emulated Unity Catalog resources (pulumi-databricks 1.118.0).
const (
	TokenSecretUc = "databricks:index/secretUc:SecretUc"
	TokenGrants   = "databricks:index/grants:Grants"
	TokenGrant    = "databricks:index/grant:Grant"
	TokenSchema   = "databricks:index/schema:Schema"
)

// missingID is the Pulumi id of a bridged plugin-framework resource that has
// no id attribute (pulumi-terraform-bridge MissingIDComputeID; pulumi-databricks
// bridge-metadata `"computeID":{"kind":"missing"}` for databricks_secret_uc and
// databricks_ai_gateway_model_provider_service): their Pulumi id is this
// literal string, so a program must use fullName / name, never the id. Read,
// Update and Delete find the object from the state instead; an import passes
// the real name as id.
const missingID = "missing ID"

// objectName is the name of the object behind a call: the id, unless it is
// missingID, then the state's key property.
func objectName(call *opCall, key string) string {
	if call.ID != "" && call.ID != missingID {
		return call.ID
	}
	for _, m := range []resource.PropertyMap{call.Olds, call.OldInputs} {
		if v, ok := get(m, key).str(); ok {
			return v
		}
	}
	return call.ID
}

// readNamed is readFound for the object named by objectName(call, key): fn
// is given that name.
func readNamed[T any](s *Server, ctx context.Context, call *opCall, key, kind, msg string, fn func(w *workspace.Workspace, name string) (T, error)) (T, bool, error) {
	name := objectName(call, key)
	return readFound(s, ctx, kind, msg, func(w *workspace.Workspace) (T, error) {
		return fn(w, name)
	})
}

// deleteNamed is the Delete of a resource whose object is named by
// objectName(call, key): del removes it as the caller; an object already
// gone is no error, any other error is wrapped as "msg: err".
func deleteNamed(key, kind, msg string, del func(w *workspace.Workspace, name, caller string) error) func(*Server, context.Context, *opCall) error {
	return func(s *Server, ctx context.Context, call *opCall) error {
		name := objectName(call, key)
		return s.deleteGone(ctx, kind, name, msg, func(w *workspace.Workspace, _ int64) error {
			return del(w, name, s.identity())
		})
	}
}

// emulatedMetastore is the metastore id every UC object reports.
const emulatedMetastore = "11111111-1111-4111-8111-111111111111"

// securableFields maps the wire names of Grants/Grant securable inputs to
// the securable types (also the first part of their ids).
var securableFields = []struct{ Wire, Type string }{
	{"catalog", workspace.SecurableCatalog},
	{"schema", workspace.SecurableSchema},
	{"secret", workspace.SecurableSecret},
	{"modelProviderService", workspace.SecurableModelProviderService},
}

// otherSecurables are securable inputs of the real Grants/Grant that the
// emulator does not serve.
var otherSecurables = []string{"credential", "externalLocation", "foreignConnection", "function", "mcpService",
	"metastore", "model", "modelService", "pipeline", "recipient", "share", "storageCredential", "table", "volume"}

func securableWires() []string {
	var out []string
	for _, f := range securableFields {
		out = append(out, f.Wire)
	}
	return out
}

func rfc3339(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano) }

// --- equality helpers ------------------------------------------------------

func equalFold(a, b resource.PropertyValue) bool {
	a, b = unwrap(a), unwrap(b)
	if a.IsString() && b.IsString() {
		return strings.EqualFold(a.StringValue(), b.StringValue())
	}
	return equalValues(a, b)
}

func privilegeSet(v resource.PropertyValue) []string {
	var out []string
	v = unwrap(v)
	if !v.IsArray() {
		return nil
	}
	for _, e := range v.ArrayValue() {
		if e = unwrap(e); e.IsString() {
			out = append(out, workspace.NormalizePrivilege(e.StringValue()))
		}
	}
	sort.Strings(out)
	return uniq(out)
}

func uniq(xs []string) []string {
	var out []string
	for i, x := range xs {
		if i == 0 || xs[i-1] != x {
			out = append(out, x)
		}
	}
	return out
}

func equalPrivileges(a, b resource.PropertyValue) bool {
	return strings.Join(privilegeSet(a), ",") == strings.Join(privilegeSet(b), ",")
}

// assignments reads a Grants `grants` list.
func assignments(v resource.PropertyValue) []workspace.Assignment {
	var out []workspace.Assignment
	for _, m := range arrayObjects(v) {
		p, _ := get(m, "principal").str()
		out = append(out, workspace.Assignment{Principal: p, Privileges: privilegeSet(m[pk("privileges")])})
	}
	return out
}

// grantSet is a Grants list as a canonical string: principals without case,
// privileges normalised, order ignored (the provider's set hash).
func grantSet(v resource.PropertyValue) string {
	byP := map[string][]string{}
	for _, a := range assignments(v) {
		k := strings.ToLower(a.Principal)
		byP[k] = uniq(sortedCopy(append(byP[k], a.Privileges...)))
	}
	var keys []string
	for k, privs := range byP {
		if len(privs) > 0 {
			keys = append(keys, k+"="+strings.Join(privs, ","))
		}
	}
	sort.Strings(keys)
	return strings.Join(keys, ";")
}

func sortedCopy(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}

func equalGrants(a, b resource.PropertyValue) bool { return grantSet(a) == grantSet(b) }

func assignmentsValue(list []workspace.Assignment) resource.PropertyValue {
	arr := []resource.PropertyValue{}
	for _, a := range list {
		privs := []resource.PropertyValue{}
		for _, p := range a.Privileges {
			privs = append(privs, resource.NewStringProperty(p))
		}
		arr = append(arr, resource.NewObjectProperty(resource.PropertyMap{
			"principal":  resource.NewStringProperty(a.Principal),
			"privileges": resource.NewArrayProperty(privs),
		}))
	}
	return resource.NewArrayProperty(arr)
}

// --- SecretUc --------------------------------------------------------------

func checkSecretUc(s *Server, call *checkCall) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	return checkWithProviderConfig(call, func(c *checker, ins resource.PropertyMap) {
		c.requireString(ins, "catalogName")
		c.requireString(ins, "schemaName")
		// name is optional in the SDK, but the API requires it.
		c.requireString(ins, "name")
		if v, ok := c.requireString(ins, "value"); ok && v == "" {
			c.fail("value", "expected \"value\" to not be an empty string")
		}
		c.optionalString(ins, "comment")
		if v, ok := c.optionalString(ins, "expireTime"); ok {
			if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
				c.fail("expireTime", "expireTime %q is not an RFC 3339 timestamp", v)
			}
		}
		c.optionalString(ins, "owner")
	})
}

func ucSecretSpec(m resource.PropertyMap) (workspace.UCSecretSpec, string) {
	var spec workspace.UCSecretSpec
	spec.CatalogName, _ = get(m, "catalogName").str()
	spec.SchemaName, _ = get(m, "schemaName").str()
	spec.Name, _ = get(m, "name").str()
	value, _ := get(m, "value").str()
	spec.ValueSha256, spec.ValueLen = workspace.Digest(value), len(value)
	spec.Comment, _ = get(m, "comment").str()
	spec.ExpireTime, _ = get(m, "expireTime").str()
	spec.Owner, _ = get(m, "owner").str()
	full := strings.ToLower(spec.CatalogName + "." + spec.SchemaName + "." + spec.Name)
	return spec, full
}

// ucSecretOutputs: the API's view of the secret, plus value and owner kept
// from the inputs or the prior state (input-only fields, as the provider does).
func ucSecretOutputs(sec *workspace.UCSecret, prior resource.PropertyMap) resource.PropertyMap {
	outs := copyInputs(prior, "value", "owner", "providerConfig")
	if v, ok := outs[pk("value")]; ok && !v.IsSecret() {
		outs[pk("value")] = resource.MakeSecret(v)
	}
	setStrings(outs, map[string]string{
		"catalogName": sec.CatalogName, "schemaName": sec.SchemaName, "name": sec.Name, "fullName": sec.FullName,
	})
	if sec.Comment != "" {
		outs[pk("comment")] = resource.NewStringProperty(sec.Comment)
	}
	if sec.ExpireTime != "" {
		outs[pk("expireTime")] = resource.NewStringProperty(sec.ExpireTime)
	}
	if !get(outs, "owner").present {
		outs[pk("owner")] = resource.NewStringProperty(sec.Owner)
	}
	setStrings(outs, map[string]string{
		"effectiveOwner": sec.Owner, "createdBy": sec.CreatedBy, "updatedBy": sec.UpdatedBy,
		"createTime": rfc3339(sec.CreateTime), "updateTime": rfc3339(sec.UpdateTime), "metastoreId": emulatedMetastore,
	})
	return outs
}

func previewUCSecret(news resource.PropertyMap) resource.PropertyMap {
	outs := news.Copy()
	if v, ok := outs[pk("value")]; ok && !v.IsSecret() {
		outs[pk("value")] = resource.MakeSecret(v)
	}
	for _, k := range []string{"fullName", "effectiveOwner", "createdBy", "updatedBy", "createTime", "updateTime", "metastoreId"} {
		outs[pk(k)] = computed()
	}
	if !get(outs, "owner").present {
		outs[pk("owner")] = computed()
	}
	spec, full := ucSecretSpec(news)
	if spec.CatalogName != "" && spec.SchemaName != "" && spec.Name != "" {
		outs[pk("fullName")] = resource.NewStringProperty(full)
	}
	return outs
}

func createSecretUc(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, error) {
	if call.Preview {
		return "", previewUCSecret(call.News), nil
	}
	spec, full := ucSecretSpec(call.News)
	sec, err := mutateValue(s, ctx, workspace.KindUCSecret, "create", full, func(w *workspace.Workspace, now int64) (*workspace.UCSecret, error) {
		return w.CreateUCSecret(spec, s.identity(), now)
	})
	if err != nil {
		return "", nil, fmt.Errorf("failed to create secret_uc: %w", err)
	}
	return missingID, ucSecretOutputs(sec, call.News), nil
}

func updateSecretUc(s *Server, ctx context.Context, call *opCall) (resource.PropertyMap, error) {
	if call.Preview {
		outs := previewUCSecret(call.News)
		for _, k := range []string{"fullName", "effectiveOwner", "createdBy", "createTime", "metastoreId"} {
			if v, ok := call.Olds[pk(k)]; ok {
				outs[pk(k)] = v
			}
		}
		return outs, nil
	}
	spec, _ := ucSecretSpec(call.News)
	full := objectName(call, "fullName")
	sec, err := mutateValue(s, ctx, workspace.KindUCSecret, "update", full, func(w *workspace.Workspace, now int64) (*workspace.UCSecret, error) {
		return w.UpdateUCSecret(full, spec, s.identity(), now)
	})
	if err != nil {
		return nil, fmt.Errorf("failed to update secret_uc: %w", err)
	}
	return ucSecretOutputs(sec, call.News), nil
}

func readSecretUc(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, resource.PropertyMap, error) {
	sec, found, err := readNamed(s, ctx, call, "fullName", workspace.KindUCSecret, "failed to get secret_uc", (*workspace.Workspace).UCSecretByName)
	if !found {
		return "", nil, nil, err
	}
	// value and owner come from the prior state: none on import.
	outs := ucSecretOutputs(sec, call.Olds)
	ins := call.News.Copy()
	if len(ins) == 0 {
		ins = copyInputs(outs, "catalogName", "schemaName", "name", "comment", "expireTime", "owner", "value", "providerConfig")
	} else {
		for _, k := range []string{"comment", "expireTime"} {
			delete(ins, pk(k))
			if v, ok := outs[pk(k)]; ok {
				ins[pk(k)] = v
			}
		}
	}
	return call.ID, outs, ins, nil
}

// --- Grants and Grant ------------------------------------------------------

// checkSecurable checks that exactly one securable input is set.
func checkSecurable(c *checker, ins resource.PropertyMap) {
	for _, k := range otherSecurables {
		if get(ins, k).present {
			c.fail(k, "the llmkeyvault workspace emulator (a test double) does not emulate grants on %s; it serves %s",
				k, strings.Join(securableWires(), ", "))
		}
	}
	var set []string
	for _, f := range securableFields {
		if get(ins, f.Wire).present {
			c.requireString(ins, f.Wire)
			set = append(set, f.Wire)
		}
	}
	switch {
	case len(set) == 0:
		c.fail("", "one of `%s` must be specified", strings.Join(securableWires(), ","))
	case len(set) > 1:
		c.fail(set[1], "only one of `%s` can be specified, got %s", strings.Join(securableWires(), ","), strings.Join(set, ", "))
	}
}

// securableOf returns the securable type, wire name and full name set in m.
func securableOf(m resource.PropertyMap) (typ, wire, full string) {
	for _, f := range securableFields {
		if v, ok := get(m, f.Wire).str(); ok {
			// Model provider services may be named by their resource name.
			return f.Type, f.Wire, strings.TrimPrefix(v, "model-provider-services/")
		}
	}
	return "", "", ""
}

func checkGrants(s *Server, call *checkCall) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	return checkWithProviderConfig(call, func(c *checker, ins resource.PropertyMap) {
		checkSecurable(c, ins)
		notList := func(v resource.PropertyValue) string { return "grants must be a list, not " + v.TypeString() }
		c.requireList(ins, "grants", notList, func(i int, e resource.PropertyValue) {
			m, ok := asObject(e)
			if !ok {
				c.fail(fmt.Sprintf("grants[%d]", i), "grants[%d] must be an object", i)
				return
			}
			sub := &checker{}
			sub.requireString(m, "principal")
			checkPrivileges(sub, m)
			for _, x := range sub.failures {
				c.fail(fmt.Sprintf("grants[%d].%s", i, x.Property), "%s", x.Reason)
			}
		})
	})
}

func checkPrivileges(c *checker, m resource.PropertyMap) {
	const notStrings = "privileges must be a list of strings"
	c.requireList(m, "privileges", func(resource.PropertyValue) string { return notStrings }, func(_ int, e resource.PropertyValue) {
		if e = unwrap(e); !e.IsString() && !e.IsComputed() {
			c.fail("privileges", notStrings)
		}
	})
}

func grantsOutputs(ins resource.PropertyMap, list []workspace.Assignment) resource.PropertyMap {
	outs := copyInputs(ins, append(securableWires(), "providerConfig")...)
	outs[pk("grants")] = assignmentsValue(list)
	return outs
}

// grantOps are the Create and Update of Grants or Grant: the id is made of
// the parts of a key (securable type, full name and, for a Grant, principal).
type grantOps struct {
	kind, what string
	// key reads the key from the inputs; parse reads it from an id.
	key   func(news resource.PropertyMap) []string
	parse func(id string) ([]string, error)
	// set gives the securable the grants of news and returns the outputs.
	set func(s *Server, w *workspace.Workspace, key []string, news resource.PropertyMap) (resource.PropertyMap, error)
}

var opsGrants = grantOps{
	kind: workspace.KindGrants, what: "grants",
	key: func(news resource.PropertyMap) []string {
		typ, _, full := securableOf(news)
		return []string{typ, full}
	},
	parse: func(id string) ([]string, error) {
		typ, full, err := splitGrantsID(id)
		return []string{typ, full}, err
	},
	set: func(s *Server, w *workspace.Workspace, key []string, news resource.PropertyMap) (resource.PropertyMap, error) {
		list, err := w.SetAllGrants(key[0], key[1], assignments(news[pk("grants")]), s.identity())
		if err != nil {
			return nil, err
		}
		return grantsOutputs(news, list), nil
	},
}

var opsGrant = grantOps{
	kind: workspace.KindGrant, what: "grant",
	key: func(news resource.PropertyMap) []string {
		typ, _, full := securableOf(news)
		principal, _ := get(news, "principal").str()
		return []string{typ, full, principal}
	},
	parse: func(id string) ([]string, error) {
		typ, full, principal, err := splitGrantID(id)
		return []string{typ, full, principal}, err
	},
	set: func(s *Server, w *workspace.Workspace, key []string, news resource.PropertyMap) (resource.PropertyMap, error) {
		a, err := w.SetPrincipalGrant(key[0], key[1], key[2], privilegeSet(news[pk("privileges")]), s.identity())
		if err != nil {
			return nil, err
		}
		return grantOutputs(news, a), nil
	},
}

func (g grantOps) create(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, error) {
	if call.Preview {
		return "", call.News.Copy(), nil
	}
	return g.put(s, ctx, "create", g.key(call.News), call.News)
}

func (g grantOps) update(s *Server, ctx context.Context, call *opCall) (resource.PropertyMap, error) {
	if call.Preview {
		return call.News.Copy(), nil
	}
	key, err := g.parse(call.ID)
	if err != nil {
		return nil, err
	}
	_, outs, err := g.put(s, ctx, "update", key, call.News)
	return outs, err
}

// put runs op (create or update) on the object of key and returns its id.
func (g grantOps) put(s *Server, ctx context.Context, op string, key []string, news resource.PropertyMap) (string, resource.PropertyMap, error) {
	id := strings.Join(key, "/")
	outs, err := mutateValue(s, ctx, g.kind, op, id, func(w *workspace.Workspace, _ int64) (resource.PropertyMap, error) {
		return g.set(s, w, key, news)
	})
	if err != nil {
		return "", nil, fmt.Errorf("cannot %s %s: %w", op, g.what, err)
	}
	return id, outs, nil
}

func splitGrantsID(id string) (string, string, error) {
	typ, full, ok := strings.Cut(id, "/")
	if !ok || typ == "" || full == "" {
		return "", "", fmt.Errorf("ID must be two elements split by `/`: %s", id)
	}
	return typ, full, nil
}

func wireOf(typ string) string {
	for _, f := range securableFields {
		if f.Type == typ {
			return f.Wire
		}
	}
	return typ
}

func readGrants(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, resource.PropertyMap, error) {
	typ, full, err := splitGrantsID(call.ID)
	if err != nil {
		return "", nil, nil, err
	}
	var list []workspace.Assignment
	err = s.read(ctx, workspace.KindGrants, func(w *workspace.Workspace) error {
		list = w.GrantsOn(typ, full)
		return nil
	})
	if err != nil {
		return "", nil, nil, err
	}
	if len(list) == 0 { // "got empty permissions list": gone
		return "", nil, nil, nil
	}
	base := call.Olds
	if len(base) == 0 {
		base = resource.PropertyMap{pk(wireOf(typ)): resource.NewStringProperty(full)}
	}
	outs := grantsOutputs(base, list)
	ins := readInputs(call.News, outs, append(securableWires(), "providerConfig")...)
	ins[pk("grants")] = outs[pk("grants")]
	return call.ID, outs, ins, nil
}

func deleteGrants(s *Server, ctx context.Context, call *opCall) error {
	typ, full, err := splitGrantsID(call.ID)
	if err != nil {
		return err
	}
	return deleteGrantsOn(s, ctx, workspace.KindGrants, call.ID, "cannot delete grants", typ, full, func(w *workspace.Workspace) error {
		_, err := w.SetAllGrants(typ, full, nil, s.identity())
		return err
	})
}

// deleteGrantsOn runs a delete of grants on securable typ/full; once the
// securable is gone, so are its grants, and there is nothing to do. An error
// is wrapped as "msg: err".
func deleteGrantsOn(s *Server, ctx context.Context, kind, id, msg, typ, full string, fn func(w *workspace.Workspace) error) error {
	err := s.mutate(ctx, kind, "delete", id, func(w *workspace.Workspace, _ int64) error {
		if w.SecurableExists(typ, full) != nil {
			return nil
		}
		return fn(w)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", msg, err)
	}
	return nil
}

func checkGrant(s *Server, call *checkCall) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	return checkWithProviderConfig(call, func(c *checker, ins resource.PropertyMap) {
		checkSecurable(c, ins)
		c.requireString(ins, "principal")
		checkPrivileges(c, ins)
	})
}

func grantOutputs(ins resource.PropertyMap, a *workspace.Assignment) resource.PropertyMap {
	outs := copyInputs(ins, append(securableWires(), "principal", "providerConfig")...)
	privs := []resource.PropertyValue{}
	for _, p := range a.Privileges {
		privs = append(privs, resource.NewStringProperty(p))
	}
	outs[pk("privileges")] = resource.NewArrayProperty(privs)
	return outs
}

func splitGrantID(id string) (string, string, string, error) {
	parts := strings.SplitN(id, "/", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", fmt.Errorf("ID must be three elements split by `/`: %s", id)
	}
	return parts[0], parts[1], parts[2], nil
}

func readGrant(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, resource.PropertyMap, error) {
	typ, full, principal, err := splitGrantID(call.ID)
	if err != nil {
		return "", nil, nil, err
	}
	a, found, err := readFound(s, ctx, workspace.KindGrant, "", func(w *workspace.Workspace) (*workspace.Assignment, error) {
		return w.PrincipalGrant(typ, full, principal)
	})
	if !found {
		return "", nil, nil, err
	}
	base := call.Olds
	if len(base) == 0 {
		base = resource.PropertyMap{pk(wireOf(typ)): resource.NewStringProperty(full), "principal": resource.NewStringProperty(principal)}
	}
	outs := grantOutputs(base, a)
	ins := readInputs(call.News, outs, append(securableWires(), "principal", "providerConfig")...)
	ins[pk("privileges")] = outs[pk("privileges")]
	return call.ID, outs, ins, nil
}

func deleteGrant(s *Server, ctx context.Context, call *opCall) error {
	typ, full, principal, err := splitGrantID(call.ID)
	if err != nil {
		return err
	}
	return deleteGrantsOn(s, ctx, workspace.KindGrant, call.ID, "cannot delete grant", typ, full, func(w *workspace.Workspace) error {
		_, err := w.SetPrincipalGrant(typ, full, principal, nil, s.identity())
		return err
	})
}

// --- Schema ----------------------------------------------------------------

func checkSchema(s *Server, call *checkCall) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	return checkWithProviderConfig(call, func(c *checker, ins resource.PropertyMap) {
		c.requireString(ins, "catalogName")
		c.requireString(ins, "name")
		for _, k := range []string{"comment", "owner", "storageRoot", "metastoreId", "enablePredictiveOptimization"} {
			c.optionalString(ins, k)
		}
		if props, ok := c.optionalObject(ins, "properties"); ok {
			for k := range props {
				c.optionalString(props, string(k))
			}
		}
		if f := get(ins, "forceDestroy"); f.present && !f.unknown && !f.v.IsBool() {
			c.fail("forceDestroy", "forceDestroy must be a boolean")
		}
	})
}

func schemaID(full string) string {
	sum := sha256.Sum256([]byte("schema\x00" + full))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func schemaOutputs(sc *workspace.UCSchema, ins resource.PropertyMap) resource.PropertyMap {
	outs := copyInputs(ins, "catalogName", "name", "comment", "properties", "forceDestroy", "storageRoot",
		"enablePredictiveOptimization", "providerConfig")
	if !get(outs, "catalogName").present {
		outs[pk("catalogName")] = resource.NewStringProperty(sc.CatalogName)
		outs[pk("name")] = resource.NewStringProperty(sc.Name)
	}
	if sc.Comment != "" {
		outs[pk("comment")] = resource.NewStringProperty(sc.Comment)
	}
	outs[pk("owner")] = resource.NewStringProperty(sc.Owner)
	outs[pk("metastoreId")] = resource.NewStringProperty(emulatedMetastore)
	outs[pk("schemaId")] = resource.NewStringProperty(schemaID(sc.FullName))
	return outs
}

func schemaArgs(m resource.PropertyMap) (catalog, name, owner, comment string, props map[string]string) {
	catalog, _ = get(m, "catalogName").str()
	name, _ = get(m, "name").str()
	owner, _ = get(m, "owner").str()
	comment, _ = get(m, "comment").str()
	props = stringMap(m[pk("properties")])
	return
}

func createSchema(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, error) {
	if call.Preview {
		outs := call.News.Copy()
		for _, k := range []string{"schemaId", "metastoreId"} {
			outs[pk(k)] = computed()
		}
		if !get(outs, "owner").present {
			outs[pk("owner")] = computed()
		}
		return "", outs, nil
	}
	catalog, name, owner, comment, props := schemaArgs(call.News)
	sc, err := mutateValue(s, ctx, workspace.KindSchema, "create", catalog+"."+name, func(w *workspace.Workspace, now int64) (*workspace.UCSchema, error) {
		return w.CreateSchema(catalog, name, owner, comment, props, s.identity(), now)
	})
	if err != nil {
		return "", nil, fmt.Errorf("cannot create schema: %w", err)
	}
	return sc.FullName, schemaOutputs(sc, call.News), nil
}

func updateSchema(s *Server, ctx context.Context, call *opCall) (resource.PropertyMap, error) {
	if call.Preview {
		outs := call.News.Copy()
		for _, k := range []string{"schemaId", "metastoreId", "owner"} {
			if v, ok := call.Olds[pk(k)]; ok && !get(outs, k).present {
				outs[pk(k)] = v
			}
		}
		return outs, nil
	}
	_, _, owner, comment, props := schemaArgs(call.News)
	sc, err := mutateValue(s, ctx, workspace.KindSchema, "update", call.ID, func(w *workspace.Workspace, _ int64) (*workspace.UCSchema, error) {
		return w.UpdateSchema(call.ID, owner, comment, props, s.identity())
	})
	if err != nil {
		return nil, fmt.Errorf("cannot update schema: %w", err)
	}
	return schemaOutputs(sc, call.News), nil
}

func readSchema(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, resource.PropertyMap, error) {
	sc, found, err := readByID(s, ctx, call, workspace.KindSchema, "", (*workspace.Workspace).Schema)
	if !found {
		return "", nil, nil, err
	}
	outs := schemaOutputs(sc, call.Olds)
	if len(sc.Properties) > 0 {
		pm := resource.PropertyMap{}
		for k, v := range sc.Properties {
			pm[pk(k)] = resource.NewStringProperty(v)
		}
		outs[pk("properties")] = resource.NewObjectProperty(pm)
	}
	ins := readInputs(call.News, outs, "catalogName", "name", "comment", "owner", "properties", "providerConfig")
	return sc.FullName, outs, ins, nil
}

func deleteSchema(s *Server, ctx context.Context, call *opCall) error {
	force := false
	if f := get(call.Olds, "forceDestroy"); f.present && f.v.IsBool() {
		force = f.v.BoolValue()
	}
	return s.deleteGone(ctx, workspace.KindSchema, call.ID, "cannot delete schema", func(w *workspace.Workspace, _ int64) error {
		return w.DeleteSchema(call.ID, force, s.identity())
	})
}
