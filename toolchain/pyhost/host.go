package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// onlyPlugins is the message of every call this host does not serve.
const onlyPlugins = "this pulumi-language-python is a reduced host that only serves Python plugins and policy " +
	"packs from source (InstallDependencies and RunPlugin for a PulumiPlugin.yaml or PulumiPolicy.yaml with " +
	"runtime: python); %s is not supported (see docs/python-host.md)"

// Plugin kinds RunPlugin serves, as the engine names them (apitype.PluginKind):
// resource providers from a PulumiPlugin.yaml folder and policy packs (analyzers)
// from a PulumiPolicy.yaml folder. An empty kind comes from engines older than
// the field and is taken as a resource provider.
const (
	kindResource = "resource"
	kindAnalyzer = "analyzer"
)

// stopGrace is how long a plugin gets to exit after an interrupt before it is killed.
const stopGrace = 5 * time.Second

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	// ctx ends when the host shuts down; it ends every running plugin.
	ctx     context.Context
	running sync.WaitGroup
}

var _ pulumirpc.LanguageRuntimeServer = (*host)(nil)

func newHost(ctx context.Context) *host {
	return &host{ctx: ctx}
}

// wait returns once every plugin and installation has ended.
func (h *host) wait() {
	h.running.Wait()
}

// callContext ends when the engine ends the call or the host shuts down.
func (h *host) callContext(call context.Context) (context.Context, func()) {
	h.running.Add(1)
	ctx, cancel := context.WithCancel(call)
	stopAfter := context.AfterFunc(h.ctx, cancel)
	return ctx, func() {
		stopAfter()
		cancel()
		h.running.Done()
	}
}

func unsupported(method string) error {
	return status.Errorf(codes.Unimplemented, onlyPlugins, method)
}

// runtimeOptions are the `runtime.options` of a PulumiPlugin.yaml (or Pulumi.yaml)
// that this host understands.
type runtimeOptions struct {
	toolchain  string
	virtualenv string // as written, possibly relative to the root directory
}

func parseOptions(info *pulumirpc.ProgramInfo) (runtimeOptions, error) {
	var opts runtimeOptions
	for key, value := range info.GetOptions().AsMap() {
		text, isText := value.(string)
		switch key {
		case "toolchain":
			if !isText {
				return opts, status.Errorf(codes.InvalidArgument, "runtime option toolchain must be a string, got %v", value)
			}
			opts.toolchain = text
		case "virtualenv":
			if !isText {
				return opts, status.Errorf(codes.InvalidArgument, "runtime option virtualenv must be a string, got %v", value)
			}
			opts.virtualenv = text
		default:
			// typechecker, packagemanagement and the like concern programs, which this host does not run.
			logging.V(5).Infof("pulumi-language-python: ignoring runtime option %q", key)
		}
	}
	if opts.toolchain != "" && opts.toolchain != "pip" {
		return opts, unsupported(fmt.Sprintf("the %q toolchain (only pip is)", opts.toolchain))
	}
	return opts, nil
}

// venvDir returns the absolute virtual environment folder, or "" if none is configured.
// A relative path is taken from the root directory, where PulumiPlugin.yaml is.
func (o runtimeOptions) venvDir(root string) string {
	if o.virtualenv == "" {
		return ""
	}
	if filepath.IsAbs(o.virtualenv) {
		return filepath.Clean(o.virtualenv)
	}
	return filepath.Join(root, o.virtualenv)
}

func venvPython(venv string) string {
	return filepath.Join(venv, "bin", "python")
}

// basePython is the interpreter that makes virtual environments, and runs
// plugins that configure none: $PULUMI_PYTHON_CMD, else python3, else python.
func basePython() (string, error) {
	if cmd := os.Getenv("PULUMI_PYTHON_CMD"); cmd != "" {
		return exec.LookPath(cmd)
	}
	path, err := exec.LookPath("python3")
	if err == nil {
		return path, nil
	}
	if path, err2 := exec.LookPath("python"); err2 == nil {
		return path, nil
	}
	return "", fmt.Errorf("no python3 or python on PATH (set PULUMI_PYTHON_CMD): %w", err)
}

// directories returns the root and program directories of a request, falling
// back to the deprecated directory field.
func directories(info *pulumirpc.ProgramInfo, fallback string) (string, string, error) {
	root, program := info.GetRootDirectory(), info.GetProgramDirectory()
	if program == "" {
		program = fallback
	}
	if root == "" {
		root = program
	}
	if root == "" {
		return "", "", status.Error(codes.InvalidArgument, "the request names no program directory")
	}
	return root, program, nil
}

// Handshake has nothing to set up: this host never calls the engine back, and
// every request carries its own directories and options.
func (h *host) Handshake(
	context.Context, *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPlugins reports nothing: a plugin's own plugins are loaded on demand.
func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetRequiredPackages reports nothing, for the same reason.
func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	python, err := basePython()
	if err != nil {
		return nil, status.Error(codes.FailedPrecondition, err.Error())
	}
	if req.GetInfo() != nil {
		if root, _, err := directories(req.GetInfo(), ""); err == nil {
			if opts, err := parseOptions(req.GetInfo()); err == nil {
				if venv := opts.venvDir(root); venv != "" {
					if _, err := os.Stat(venvPython(venv)); err == nil {
						python = venvPython(venv)
					}
				}
			}
		}
	}
	out, err := exec.CommandContext(ctx, python, "--version").CombinedOutput()
	if err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "%s --version: %v: %s", python, err, out)
	}
	return &pulumirpc.AboutResponse{
		Executable: python,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "Python "),
		Metadata:   map[string]string{"host": "reduced (Python plugins from source only)"},
	}, nil
}

// InstallDependencies makes the virtual environment named by the virtualenv
// option (relative to the root directory) with `python -m venv`, unless it
// exists, and installs requirements.txt into it with pip.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	root, program, err := directories(req.GetInfo(), req.GetDirectory()) //nolint:staticcheck // deprecated fallback
	if err != nil {
		return err
	}
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return err
	}
	venv := opts.venvDir(root)
	if venv == "" {
		return status.Errorf(codes.FailedPrecondition,
			"%s: set the runtime option virtualenv (for example `virtualenv: venv`); "+
				"this host installs dependencies only into a virtual environment", root)
	}

	var mu sync.Mutex
	out := newChunkSender(&mu, func(b []byte) error {
		return stream.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	})
	errOut := newChunkSender(&mu, func(b []byte) error {
		return stream.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	})
	ctx, done := h.callContext(stream.Context())
	defer done()
	run := func(dir string, name string, args ...string) error {
		fmt.Fprintf(out, "$ %s %s\n", name, strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = dir
		cmd.Env = append(venvEnviron(os.Environ(), venv), "PIP_DISABLE_PIP_VERSION_CHECK=1")
		cmd.Stdout, cmd.Stderr = out, errOut
		if err := cmd.Run(); err != nil {
			return status.Errorf(codes.Unknown, "%s %s: %v", name, strings.Join(args, " "), err)
		}
		return nil
	}

	if _, err := os.Stat(venvPython(venv)); err != nil {
		python, err := basePython()
		if err != nil {
			return status.Error(codes.FailedPrecondition, err.Error())
		}
		fmt.Fprintf(out, "Creating virtual environment %s\n", venv)
		if err := run(root, python, "-m", "venv", venv); err != nil {
			return err
		}
	}

	requirements := ""
	for _, dir := range []string{program, root} {
		candidate := filepath.Join(dir, "requirements.txt")
		if _, err := os.Stat(candidate); err == nil {
			requirements = candidate
			break
		}
	}
	if requirements == "" {
		fmt.Fprintf(out, "No requirements.txt in %s: nothing to install\n", program)
		return nil
	}
	args := []string{"-m", "pip", "install", "-r", filepath.Base(requirements)}
	if !req.GetIsTerminal() {
		args = append(args, "--progress-bar", "off")
	}
	if err := run(filepath.Dir(requirements), venvPython(venv), args...); err != nil {
		return err
	}
	fmt.Fprintf(out, "Finished installing dependencies into %s\n", venv)
	return nil
}

// RunPlugin runs the plugin's program directory with the virtual
// environment's Python, so its __main__.py runs, and streams its output and
// exit code back. The engine reads the plugin's port from that stdout.
//
// Policy packs come the same way (kind "analyzer"): the engine names the pack's
// folder, where PulumiPolicy.yaml is, as root and program directory, its own
// working directory (the Pulumi program's) as pwd, and passes its address as
// the only argument. The pack's __main__.py (pulumi-policy's PolicyPack)
// serves the analyzer and prints its port. Python puts the pack's folder first
// on sys.path, so the pack's own modules import as they do under the upstream host.
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	if req.GetAttachDebugger() {
		return unsupported("attaching a debugger to a plugin")
	}
	kind := req.GetKind()
	switch kind {
	case "", kindResource, kindAnalyzer:
	default:
		return unsupported(fmt.Sprintf("running a %s plugin (RunPlugin serves resource plugins and policy packs)", kind))
	}
	root, program, err := directories(req.GetInfo(), req.GetPwd())
	if err != nil {
		return err
	}
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return err
	}

	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	var python string
	if venv := opts.venvDir(root); venv != "" {
		python = venvPython(venv)
		if _, err := os.Stat(python); err != nil {
			if kind == kindAnalyzer {
				return status.Errorf(codes.FailedPrecondition,
					"the virtual environment %s of policy pack %s does not exist; install the pack's dependencies "+
						"first (`python3 -m venv %s && %s -m pip install -r requirements.txt` in the pack's folder; "+
						"`make build` does this for this repository's policy/)", venv, root, venv, python)
			}
			return status.Errorf(codes.FailedPrecondition,
				"the virtual environment %s of plugin %s does not exist; install the plugin's dependencies "+
					"first (`pulumi install` in the plugin folder, or `pulumi package add`)", venv, root)
		}
		env = venvEnviron(env, venv)
	} else if python, err = basePython(); err != nil {
		return status.Error(codes.FailedPrecondition, err.Error())
	}

	target := program
	if entry := req.GetInfo().GetEntryPoint(); entry != "" && entry != "." {
		target = filepath.Join(program, entry)
	}
	args := append([]string{"-u", target}, req.GetArgs()...)

	ctx, done := h.callContext(stream.Context())
	defer done()
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	// When the engine is done with the plugin it cancels the call: interrupt
	// the plugin as the engine does its own plugins, then kill it.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = stopGrace
	var mu sync.Mutex
	cmd.Stdout = newChunkSender(&mu, func(b []byte) error {
		return stream.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	})
	cmd.Stderr = newChunkSender(&mu, func(b []byte) error {
		return stream.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	})
	logging.V(5).Infof("pulumi-language-python: running %s %v in %s", python, args, cmd.Dir)

	if err := cmd.Start(); err != nil {
		return status.Errorf(codes.Unknown, "could not start %s: %v", python, err)
	}
	// Wait returns once the output has been copied to the stream.
	waitErr := cmd.Wait()
	if stream.Context().Err() != nil {
		return nil // the engine hung up; nobody is listening
	}
	code := int32(0)
	if waitErr != nil {
		var exitErr *exec.ExitError
		if !errors.As(waitErr, &exitErr) {
			return status.Errorf(codes.Unknown, "plugin %s: %v", program, waitErr)
		}
		code = int32(exitErr.ExitCode()) //nolint:gosec // exit codes fit
	}
	return stream.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

// venvEnviron activates the virtual environment venv in the environment env:
// VIRTUAL_ENV set, its bin/ first on PATH, PYTHONHOME unset.
func venvEnviron(env []string, venv string) []string {
	result := make([]string, 0, len(env)+2)
	path := ""
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		switch name {
		case "PATH":
			path = value
		case "VIRTUAL_ENV", "PYTHONHOME":
		default:
			result = append(result, kv)
		}
	}
	bin := filepath.Join(venv, "bin")
	if path != "" {
		bin += string(os.PathListSeparator) + path
	}
	return append(result, "VIRTUAL_ENV="+venv, "PATH="+bin)
}

// chunkSender is an io.Writer that sends each write as one message on a gRPC
// stream. Stdout and stderr are copied by two goroutines and a stream allows
// one sender at a time, so the senders of one call share a lock.
type chunkSender struct {
	mu   *sync.Mutex
	send func([]byte) error
}

func newChunkSender(mu *sync.Mutex, send func([]byte) error) io.Writer {
	return &chunkSender{mu: mu, send: send}
}

func (c *chunkSender) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	chunk := make([]byte, len(p))
	copy(chunk, p)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.send(chunk); err != nil {
		return 0, err
	}
	return len(p), nil
}

// refused are the calls this host answers with onlyPlugins, by gRPC method,
// with what the answer calls them. Everything else concerns Pulumi programs,
// code generation or packaging.
var refused = map[string]string{
	pulumirpc.LanguageRuntime_Run_FullMethodName:                    "running Pulumi programs (Run)",
	pulumirpc.LanguageRuntime_GetProgramDependencies_FullMethodName: "GetProgramDependencies",
	pulumirpc.LanguageRuntime_RuntimeOptionsPrompts_FullMethodName:  "RuntimeOptionsPrompts",
	pulumirpc.LanguageRuntime_Template_FullMethodName:               "Template",
	pulumirpc.LanguageRuntime_GenerateProgram_FullMethodName:        "GenerateProgram",
	pulumirpc.LanguageRuntime_GenerateProject_FullMethodName:        "GenerateProject",
	pulumirpc.LanguageRuntime_GeneratePackage_FullMethodName:        "GeneratePackage (Python SDK generation)",
	pulumirpc.LanguageRuntime_Pack_FullMethodName:                   "Pack",
	pulumirpc.LanguageRuntime_Link_FullMethodName:                   "Link",
}

// refuse answers the refused calls; the host serves the others.
func refuse(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if what, ok := refused[info.FullMethod]; ok {
		return nil, unsupported(what)
	}
	return handler(ctx, req)
}

// serverOptions are the options of the gRPC server the host is registered with.
func serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.UnaryInterceptor(refuse)}
}

// Cancel has nothing to abort: plugins stop when the engine ends their RunPlugin call.
func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
