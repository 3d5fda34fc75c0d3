// Package provider serves the llmkeyvault workspace emulator (a test double)
// as Pulumi resource provider plugins named databricks, random and
// azure-native. It implements only the resource types the llmkeyvault
// component uses, with the real providers' type tokens and property names,
// and keeps its state in the emulated workspace (package workspace).
package provider

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"llmkeyvault/emulator/internal/workspace"
)

// QuietEnv, when set, stops the one notice per plugin process that says a
// test double is serving the package.
const QuietEnv = "LLMKEYVAULT_EMULATOR_QUIET"

// Logger sends a message to the engine (nil: no engine, for example in tests).
type Logger interface {
	Log(ctx context.Context, sev diag.Severity, urn resource.URN, msg string) error
}

// Package is one package the emulator can serve.
type Package struct {
	Name           string // databricks, random, azure-native
	DefaultVersion string // the real provider version the component pins
	VersionEnv     string // environment variable that overrides the reported version
	Resources      map[string]*ResourceType
	// Config lists the provider configuration variables the schema declares.
	Config map[string]string
}

// Version is the version the plugin reports: VersionEnv if set, else DefaultVersion.
func (p *Package) Version() string {
	if v := strings.TrimSpace(os.Getenv(p.VersionEnv)); v != "" {
		return strings.TrimPrefix(v, "v")
	}
	return p.DefaultVersion
}

// ResourceType describes one emulated resource type.
type ResourceType struct {
	Token string
	Kind  string // workspace kind: scope, secret, acl, vaultsecret, randomid
	// Inputs are the top-level input properties compared by Diff.
	Inputs []string
	// Replace are the inputs whose change forces replacement; the others
	// update in place.
	Replace map[string]bool
	// Computed are optional inputs the provider fills in when absent (a
	// missing new value is no change).
	Computed map[string]bool
	// Secret are input paths ("a" or "a.b") returned as secrets by Check.
	Secret []string
	// Equal overrides equalValues for an input (sets, case-insensitive names).
	Equal map[string]func(a, b resource.PropertyValue) bool

	Check  func(s *Server, c *checkCall) (resource.PropertyMap, []*pulumirpc.CheckFailure)
	Create func(s *Server, ctx context.Context, c *opCall) (string, resource.PropertyMap, error)
	Read   func(s *Server, ctx context.Context, c *opCall) (string, resource.PropertyMap, resource.PropertyMap, error)
	Update func(s *Server, ctx context.Context, c *opCall) (resource.PropertyMap, error)
	Delete func(s *Server, ctx context.Context, c *opCall) error
	// Schema is the resource's entry in the package schema.
	Schema map[string]any
}

// checkCall is the input of a Check.
type checkCall struct {
	URN  resource.URN
	Olds resource.PropertyMap
	News resource.PropertyMap
	Seed []byte
}

// opCall is the input of Create, Read, Update and Delete.
type opCall struct {
	URN       resource.URN
	ID        string
	Olds      resource.PropertyMap // Update: old outputs; Read/Delete: state
	OldInputs resource.PropertyMap
	News      resource.PropertyMap // Create/Update: new inputs; Read: inputs
	Preview   bool
}

// Server is a pulumirpc.ResourceProviderServer for one Package.
type Server struct {
	pulumirpc.UnimplementedResourceProviderServer

	pkg    *Package
	logger Logger
	now    func() time.Time

	mu            sync.Mutex
	acceptSecrets bool
	config        map[string]string // provider configuration, flattened
	noticeSent    bool
	store         *workspace.Store
	hooks         workspace.Hooks
	envErr        error
}

// NewServer makes a server for pkg. The workspace folder and the test hooks
// are read from the environment now; a missing LLMKEYVAULT_EMULATOR_DIR makes
// every call fail.
func NewServer(pkg *Package, logger Logger) *Server {
	s := &Server{pkg: pkg, logger: logger, now: time.Now, acceptSecrets: true, config: map[string]string{}}
	s.store, s.envErr = workspace.OpenFromEnv()
	if s.envErr == nil {
		s.hooks, s.envErr = workspace.HooksFromEnv()
	}
	return s
}

func (s *Server) ready() error {
	if s.envErr != nil {
		return s.envErr
	}
	return nil
}

// readyType is resourceType for a resource call, once the server is
// configured.
func (s *Server) readyType(typ, urn string) (*ResourceType, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	return s.resourceType(typ, urn)
}

// wireProps is one property struct of a request, and where its unmarshalled
// value goes.
type wireProps struct {
	label string
	st    *structpb.Struct
	into  *resource.PropertyMap
}

// resourceRequest is a request about one resource.
type resourceRequest interface {
	GetType() string
	GetUrn() string
}

// readyRequest is readyType for a resource call, then the unmarshalling of
// each of its property structs in turn; the first error ends it.
func (s *Server) readyRequest(req resourceRequest, ps ...wireProps) (*ResourceType, error) {
	rt, err := s.readyType(req.GetType(), req.GetUrn())
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if *p.into, err = unmarshal(p.label, p.st); err != nil {
			return nil, err
		}
	}
	return rt, nil
}

func (s *Server) resourceType(typ, urn string) (*ResourceType, error) {
	if typ == "" && urn != "" {
		typ = string(resource.URN(urn).Type())
	}
	rt := s.pkg.Resources[typ]
	if rt == nil {
		var known []string
		for k := range s.pkg.Resources {
			known = append(known, k)
		}
		sort.Strings(known)
		return nil, fmt.Errorf("llmkeyvault workspace emulator (a test double) does not emulate resource type %q; it serves only %s",
			typ, strings.Join(known, ", "))
	}
	return rt, nil
}

var unmarshalOpts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

func unmarshal(label string, st *structpb.Struct) (resource.PropertyMap, error) {
	if st == nil {
		return resource.PropertyMap{}, nil
	}
	o := unmarshalOpts
	o.Label = label
	return plugin.UnmarshalProperties(st, o)
}

func (s *Server) marshal(label string, m resource.PropertyMap) (*structpb.Struct, error) {
	s.mu.Lock()
	keep := s.acceptSecrets
	s.mu.Unlock()
	return plugin.MarshalProperties(m, plugin.MarshalOptions{
		Label: label, KeepUnknowns: true, KeepSecrets: keep, SkipNulls: true,
	})
}

// GetPluginInfo reports the version of the real provider being stood in for.
func (s *Server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.pkg.Version()}, nil
}

// GetSchema returns a minimal package schema of the emulated types.
func (s *Server) GetSchema(_ context.Context, req *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	if req.GetVersion() > 0 {
		return nil, fmt.Errorf("llmkeyvault workspace emulator: unsupported schema version %d", req.GetVersion())
	}
	data, err := s.pkg.SchemaJSON()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: string(data)}, nil
}

// CheckConfig accepts any configuration.
func (s *Server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// DiffConfig never asks for a provider replacement.
func (s *Server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

// Configure records the configuration; no credential is needed or checked.
func (s *Server) Configure(ctx context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	cfg := map[string]string{}
	prefix := s.pkg.Name + ":config:"
	for k, v := range req.GetVariables() {
		cfg[strings.TrimPrefix(k, prefix)] = v
	}
	args, err := unmarshal("configure.args", req.GetArgs())
	if err != nil {
		return nil, err
	}
	for k, v := range args {
		switch v = unwrap(v); {
		case v.IsString():
			cfg[string(k)] = v.StringValue()
		case v.IsBool():
			cfg[string(k)] = fmt.Sprint(v.BoolValue())
		case v.IsNumber():
			cfg[string(k)] = fmt.Sprint(v.NumberValue())
		}
	}
	s.mu.Lock()
	s.acceptSecrets = req.GetAcceptSecrets()
	s.config = cfg
	send := !s.noticeSent
	s.noticeSent = true
	s.mu.Unlock()
	if send && s.logger != nil && os.Getenv(QuietEnv) == "" {
		_ = s.logger.Log(ctx, diag.Info, "", fmt.Sprintf(
			"llmkeyvault workspace emulator (a test double) serves %s here; state in %s; no real workspace is used",
			s.pkg.Name, s.store.Dir))
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (s *Server) configValue(k string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.config[k]
}

// Check validates the inputs of a resource and returns them.
func (s *Server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	var olds, news resource.PropertyMap
	rt, err := s.readyRequest(req, wireProps{"check.olds", req.GetOlds(), &olds}, wireProps{"check.news", req.GetNews(), &news})
	if err != nil {
		return nil, err
	}
	ins, failures := rt.Check(s, &checkCall{URN: resource.URN(req.GetUrn()), Olds: olds, News: news, Seed: req.GetRandomSeed()})
	for _, p := range rt.Secret {
		markSecret(ins, p)
	}
	st, err := s.marshal("check.inputs", ins)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: st, Failures: failures}, nil
}

// Diff compares old and new inputs: equal values (secrets by value) are no
// change, an unknown new value is a change, and a change to a key in
// Replace forces replacement (create-before-delete unless the program asks
// for deleteBeforeReplace, as with the real providers).
func (s *Server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	oldSrc := req.GetOldInputs()
	if oldSrc == nil {
		oldSrc = req.GetOlds()
	}
	var olds, news resource.PropertyMap
	rt, err := s.readyRequest(req, wireProps{"diff.olds", oldSrc, &olds}, wireProps{"diff.news", req.GetNews(), &news})
	if err != nil {
		return nil, err
	}
	ignore := map[string]bool{}
	for _, k := range req.GetIgnoreChanges() {
		ignore[k] = true
	}
	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true,
		DetailedDiff: map[string]*pulumirpc.PropertyDiff{}}
	for _, k := range rt.Inputs {
		if ignore[k] {
			continue
		}
		o, n := olds[resource.PropertyKey(k)], news[resource.PropertyKey(k)]
		if isEmpty(n) && rt.Computed[k] {
			continue
		}
		eq := rt.Equal[k]
		if eq == nil {
			eq = equalValues
		}
		if !n.ContainsUnknowns() && eq(o, n) {
			continue
		}
		resp.Diffs = append(resp.Diffs, k)
		kind := diffKind(isEmpty(o), isEmpty(n), rt.Replace[k])
		if rt.Replace[k] {
			resp.Replaces = append(resp.Replaces, k)
		}
		resp.DetailedDiff[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	if len(resp.Diffs) > 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return resp, nil
}

// Create creates a resource (during a preview: computes the outputs only).
func (s *Server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	var news resource.PropertyMap
	rt, err := s.readyRequest(req, wireProps{"create.news", req.GetProperties(), &news})
	if err != nil {
		return nil, err
	}
	if !req.GetPreview() && news.ContainsUnknowns() {
		return nil, fmt.Errorf("llmkeyvault workspace emulator: Create of %s with unknown inputs", rt.Token)
	}
	id, outs, err := rt.Create(s, ctx, &opCall{URN: resource.URN(req.GetUrn()), News: news, Preview: req.GetPreview()})
	if err != nil {
		return nil, err
	}
	st, err := s.marshal("create.outputs", outs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: st}, nil
}

// Read refreshes a resource; an empty id tells the engine it is gone.
func (s *Server) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	var state, inputs resource.PropertyMap
	rt, err := s.readyRequest(req, wireProps{"read.state", req.GetProperties(), &state}, wireProps{"read.inputs", req.GetInputs(), &inputs})
	if err != nil {
		return nil, err
	}
	id, outs, ins, err := rt.Read(s, ctx, &opCall{URN: resource.URN(req.GetUrn()), ID: req.GetId(), Olds: state, News: inputs})
	if err != nil {
		return nil, err
	}
	if id == "" {
		return &pulumirpc.ReadResponse{}, nil
	}
	ost, err := s.marshal("read.outputs", outs)
	if err != nil {
		return nil, err
	}
	var ist *structpb.Struct
	if ins != nil {
		if ist, err = s.marshal("read.inputs", ins); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.ReadResponse{Id: id, Properties: ost, Inputs: ist}, nil
}

// Update changes a resource in place.
func (s *Server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	var olds, oldInputs, news resource.PropertyMap
	rt, err := s.readyRequest(req, wireProps{"update.olds", req.GetOlds(), &olds},
		wireProps{"update.oldInputs", req.GetOldInputs(), &oldInputs}, wireProps{"update.news", req.GetNews(), &news})
	if err != nil {
		return nil, err
	}
	if rt.Update == nil {
		return nil, fmt.Errorf("llmkeyvault workspace emulator: %s has no in-place update (every input forces replacement)", rt.Token)
	}
	outs, err := rt.Update(s, ctx, &opCall{URN: resource.URN(req.GetUrn()), ID: req.GetId(), Olds: olds,
		OldInputs: oldInputs, News: news, Preview: req.GetPreview()})
	if err != nil {
		return nil, err
	}
	st, err := s.marshal("update.outputs", outs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: st}, nil
}

// Delete deletes a resource; an object already gone is no error.
func (s *Server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	var state, oldInputs resource.PropertyMap
	rt, err := s.readyRequest(req, wireProps{"delete.state", req.GetProperties(), &state}, wireProps{"delete.oldInputs", req.GetOldInputs(), &oldInputs})
	if err != nil {
		return nil, err
	}
	if err := rt.Delete(s, ctx, &opCall{URN: resource.URN(req.GetUrn()), ID: req.GetId(), Olds: state, OldInputs: oldInputs}); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// Cancel has nothing to stop.
func (s *Server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// sleep waits the configured latency (never while holding the lock).
func (s *Server) sleep(ctx context.Context) error {
	if s.hooks.Latency <= 0 {
		return nil
	}
	t := time.NewTimer(s.hooks.Latency)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// mutate runs one mutating call (create, update, delete): latency first,
// outside the lock, then fn under the lock; the call is counted and logged.
func (s *Server) mutate(ctx context.Context, kind, op, target string, fn func(w *workspace.Workspace, nowMs int64) error) error {
	start := s.now().UnixMilli()
	if err := s.sleep(ctx); err != nil {
		return err
	}
	return s.store.Update(func(w *workspace.Workspace) error {
		w.CountCall(kind, op)
		var err error
		if op == "create" {
			err = w.BeginCreate(kind, s.hooks.Fail)
		}
		if err == nil {
			err = fn(w, s.now().UnixMilli())
		}
		e := workspace.LogEntry{Pid: os.Getpid(), Kind: kind, Op: op, Target: target, StartMs: start, EndMs: s.now().UnixMilli()}
		if err != nil {
			e.Error = err.Error()
		}
		w.AppendLog(e)
		return err
	})
}

// read runs one Read: latency outside the lock, then fn under the lock; the
// call is counted.
func (s *Server) read(ctx context.Context, kind string, fn func(w *workspace.Workspace) error) error {
	if err := s.sleep(ctx); err != nil {
		return err
	}
	return s.store.Update(func(w *workspace.Workspace) error {
		w.CountCall(kind, "read")
		return fn(w)
	})
}

// deleteGone runs a delete call; a target already gone counts as deleted.
// Any other error is wrapped as "msg: err".
func (s *Server) deleteGone(ctx context.Context, kind, target, msg string, fn func(w *workspace.Workspace, nowMs int64) error) error {
	err := s.mutate(ctx, kind, "delete", target, fn)
	if err != nil && !workspace.IsNotFound(err) {
		return fmt.Errorf("%s: %w", msg, err)
	}
	return nil
}

// deleteByID is the Delete of a resource whose id names the object: del
// removes it; an object already gone is no error, any other error is
// wrapped as "msg: err".
func deleteByID(kind, msg string, del func(w *workspace.Workspace, id string) error) func(*Server, context.Context, *opCall) error {
	return func(s *Server, ctx context.Context, call *opCall) error {
		return s.deleteGone(ctx, kind, call.ID, msg, func(w *workspace.Workspace, _ int64) error {
			return del(w, call.ID)
		})
	}
}

// deletePair is deleteByID for a resource whose id is a pair (splitPair):
// del is given its two parts.
func deletePair(kind, msg string, del func(w *workspace.Workspace, a, b string) error) func(*Server, context.Context, *opCall) error {
	return func(s *Server, ctx context.Context, call *opCall) error {
		a, b, err := splitPair(call.ID)
		if err != nil {
			return err
		}
		return s.deleteGone(ctx, kind, call.ID, msg, func(w *workspace.Workspace, _ int64) error {
			return del(w, a, b)
		})
	}
}

// mutateValue is mutate for a call whose fn yields a value.
func mutateValue[T any](s *Server, ctx context.Context, kind, op, target string, fn func(w *workspace.Workspace, nowMs int64) (T, error)) (T, error) {
	var v T
	err := s.mutate(ctx, kind, op, target, func(w *workspace.Workspace, nowMs int64) error {
		var err error
		v, err = fn(w, nowMs)
		return err
	})
	return v, err
}

// readValue is read for a call whose fn yields a value.
func readValue[T any](s *Server, ctx context.Context, kind string, fn func(w *workspace.Workspace) (T, error)) (T, error) {
	var v T
	err := s.read(ctx, kind, func(w *workspace.Workspace) error {
		var err error
		v, err = fn(w)
		return err
	})
	return v, err
}

// readFound is readValue for a Read: a missing object is not an error but
// found == false, as is any other error, which comes back wrapped as
// "msg: err" (unwrapped if msg is empty).
func readFound[T any](s *Server, ctx context.Context, kind, msg string, fn func(w *workspace.Workspace) (T, error)) (v T, found bool, err error) {
	v, err = readValue(s, ctx, kind, fn)
	switch {
	case workspace.IsNotFound(err):
		return v, false, nil
	case err != nil && msg != "":
		return v, false, fmt.Errorf("%s: %w", msg, err)
	case err != nil:
		return v, false, err
	}
	return v, true, nil
}

// readByID is readFound for the object whose id is the resource's id: fn is given it.
func readByID[T any](s *Server, ctx context.Context, call *opCall, kind, msg string, fn func(w *workspace.Workspace, id string) (T, error)) (T, bool, error) {
	return readFound(s, ctx, kind, msg, func(w *workspace.Workspace) (T, error) {
		return fn(w, call.ID)
	})
}

// readPair is readFound for a resource whose id is a pair (splitPair): fn is
// given its two parts, which come back with the object.
func readPair[T any](s *Server, ctx context.Context, call *opCall, kind, msg string, fn func(w *workspace.Workspace, a, b string) (T, error)) (a, b string, v T, found bool, err error) {
	if a, b, err = splitPair(call.ID); err != nil {
		return a, b, v, false, err
	}
	v, found, err = readFound(s, ctx, kind, msg, func(w *workspace.Workspace) (T, error) {
		return fn(w, a, b)
	})
	return a, b, v, found, err
}

// Packages are the packages the emulator serves, by plugin executable name.
var Packages = map[string]*Package{
	"pulumi-resource-databricks":   Databricks,
	"pulumi-resource-random":       Random,
	"pulumi-resource-azure-native": AzureNative,
}
