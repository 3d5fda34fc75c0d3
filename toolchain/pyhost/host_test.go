package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestParseCommandLine(t *testing.T) {
	cases := map[string]struct {
		args []string
		want commandLine
	}{
		"current engine": {
			args: []string{"--logtostderr", "-v=9", "--tracing", "http://t", "127.0.0.1:1234"},
			want: commandLine{logToStderr: true, verbose: 9, tracing: "http://t", engineAddress: "127.0.0.1:1234"},
		},
		"older engine, one flag per runtime option": {
			args: []string{"-toolchain=pip", "-virtualenv=venv", "-root=/p", "127.0.0.1:1"},
			want: commandLine{
				engineAddress: "127.0.0.1:1",
				ignored:       []string{"-toolchain=pip", "-virtualenv=venv", "-root=/p"},
			},
		},
		"no engine": {args: nil, want: commandLine{}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := parseCommandLine(c.args)
			if err != nil {
				t.Fatal(err)
			}
			if got.logToStderr != c.want.logToStderr || got.verbose != c.want.verbose ||
				got.tracing != c.want.tracing || got.engineAddress != c.want.engineAddress ||
				!slices.Equal(got.ignored, c.want.ignored) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
	if _, err := parseCommandLine([]string{"-v=x"}); err == nil {
		t.Fatal("a bad -v was accepted")
	}
}

func TestVenvEnviron(t *testing.T) {
	got := venvEnviron([]string{"A=1", "PATH=/usr/bin", "PYTHONHOME=/x", "VIRTUAL_ENV=/old"}, "/p/venv")
	want := []string{"A=1", "VIRTUAL_ENV=/p/venv", "PATH=/p/venv/bin:/usr/bin"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestOptions(t *testing.T) {
	info := programInfo(t, "/p", map[string]any{"toolchain": "pip", "virtualenv": "venv", "typechecker": "mypy"})
	opts, err := parseOptions(info)
	if err != nil {
		t.Fatal(err)
	}
	if got := opts.venvDir("/p"); got != "/p/venv" {
		t.Fatalf("venv %q", got)
	}
	opts.virtualenv = "/abs/env"
	if got := opts.venvDir("/p"); got != "/abs/env" {
		t.Fatalf("venv %q", got)
	}
	_, err = parseOptions(programInfo(t, "/p", map[string]any{"toolchain": "uv"}))
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("toolchain uv: %v", err)
	}
}

func TestUnsupportedCallsSaySo(t *testing.T) {
	conn := serveConn(t)
	client := pulumirpc.NewLanguageRuntimeClient(conn)
	_, err := client.Run(context.Background(), &pulumirpc.RunRequest{})
	if status.Code(err) != codes.Unimplemented || !strings.Contains(err.Error(), "only serves Python plugins") {
		t.Fatalf("Run: %v", err)
	}
	// The embedded UnimplementedLanguageRuntimeServer answers Unimplemented
	// too: the message tells the refusal of this host from it.
	_, err = client.GeneratePackage(context.Background(), &pulumirpc.GeneratePackageRequest{})
	if status.Code(err) != codes.Unimplemented || !strings.Contains(err.Error(), "only serves Python plugins") {
		t.Fatalf("GeneratePackage: %v", err)
	}
	// Every refused call, by its gRPC method (an empty request decodes as any message).
	for method, what := range refused {
		err := conn.Invoke(context.Background(), method, &emptypb.Empty{}, &emptypb.Empty{})
		if status.Code(err) != codes.Unimplemented || !strings.Contains(err.Error(), "only serves Python plugins") ||
			!strings.Contains(err.Error(), what) {
			t.Errorf("%s: %v", method, err)
		}
	}
}

// A plugin folder whose __main__.py reports its arguments, its interpreter and
// an environment variable, writes to stderr and exits with code 3.
func writePlugin(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	main := `import os, sys
print("args", " ".join(sys.argv[1:]), flush=True)
print("prefix", sys.prefix, flush=True)
print("probe", os.environ.get("PYHOST_PROBE", ""), flush=True)
print("on stderr", file=sys.stderr, flush=True)
sys.exit(3)
`
	if err := os.WriteFile(filepath.Join(dir, "__main__.py"), []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunPluginStreamsOutputAndExitCode(t *testing.T) {
	needPython(t)
	dir := writePlugin(t)
	client := serve(t)
	stdout, stderr, code := runPlugin(t, client, &pulumirpc.RunPluginRequest{
		Pwd:  dir,
		Args: []string{"127.0.0.1:1", "--flag"},
		Env:  append(os.Environ(), "PYHOST_PROBE=seen"),
		Info: programInfo(t, dir, nil),
	})
	for _, want := range []string{"args 127.0.0.1:1 --flag\n", "probe seen\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout %q lacks %q", stdout, want)
		}
	}
	if stderr != "on stderr\n" || code != 3 {
		t.Fatalf("stderr %q, exit code %d", stderr, code)
	}
}

func TestInstallDependenciesThenRunPluginInTheVenv(t *testing.T) {
	needPython(t)
	dir := writePlugin(t)
	client := serve(t)
	info := programInfo(t, dir, map[string]any{"toolchain": "pip", "virtualenv": "venv"})

	// Without the venv, RunPlugin refuses and says what to do.
	stream, err := client.RunPlugin(context.Background(), &pulumirpc.RunPluginRequest{Pwd: dir, Info: info})
	if err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "pulumi install") {
		t.Fatalf("RunPlugin without venv: %v", err)
	}

	install, err := client.InstallDependencies(context.Background(),
		&pulumirpc.InstallDependenciesRequest{Info: info, IsPlugin: true})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for {
		msg, err := install.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("InstallDependencies: %v (output %q)", err, out.String())
		}
		out.Write(msg.GetStdout())
	}
	if !strings.Contains(out.String(), "No requirements.txt") {
		t.Fatalf("output %q", out.String())
	}
	venv := filepath.Join(dir, "venv")
	if _, err := os.Stat(filepath.Join(venv, "bin", "python")); err != nil {
		t.Fatal(err)
	}

	stdout, _, code := runPlugin(t, client, &pulumirpc.RunPluginRequest{Pwd: dir, Info: info})
	if !strings.Contains(stdout, "prefix "+venv+"\n") || code != 3 {
		t.Fatalf("stdout %q, exit code %d", stdout, code)
	}
}

// A policy pack as the engine runs one for `--policy-pack`: kind "analyzer", the
// pack's folder (PulumiPolicy.yaml) as root and program directory, the Pulumi
// program's folder as working directory, the engine's address as the only
// argument. The pack's __main__.py imports a module beside it, as
// policy/__main__.py does.
func TestRunPluginRunsAPolicyPack(t *testing.T) {
	needPython(t)
	pack := t.TempDir()
	files := map[string]string{
		"PulumiPolicy.yaml": "runtime: python\nversion: 0.1.0\n",
		"rules.py":          "NAME = 'rules-from-beside-main'\n",
		"__main__.py": `import os, sys
import rules
print("rules", rules.NAME, flush=True)
print("args", " ".join(sys.argv[1:]), flush=True)
print("cwd", os.getcwd(), flush=True)
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(pack, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	programDir := t.TempDir()
	client := serve(t)
	stdout, stderr, code := runPlugin(t, client, &pulumirpc.RunPluginRequest{
		Pwd:  programDir,
		Args: []string{"127.0.0.1:4242"},
		Kind: "analyzer",
		Info: programInfo(t, pack, nil),
	})
	for _, want := range []string{"rules rules-from-beside-main\n", "args 127.0.0.1:4242\n", "cwd " + programDir + "\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout %q lacks %q (stderr %q)", stdout, want, stderr)
		}
	}
	if code != 0 {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}

	// With a virtualenv option but no venv yet, the refusal says how to make it for a pack.
	info := programInfo(t, pack, map[string]any{"toolchain": "pip", "virtualenv": "venv"})
	stream, err := client.RunPlugin(context.Background(),
		&pulumirpc.RunPluginRequest{Pwd: programDir, Kind: "analyzer", Info: info})
	if err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "policy pack") ||
		!strings.Contains(err.Error(), "requirements.txt") {
		t.Fatalf("RunPlugin of a pack without its venv: %v", err)
	}
}

// Plugin kinds other than resource providers and policy packs are refused.
func TestRunPluginRefusesOtherKinds(t *testing.T) {
	dir := writePlugin(t)
	client := serve(t)
	for _, kind := range []string{"converter", "tool", "language"} {
		stream, err := client.RunPlugin(context.Background(),
			&pulumirpc.RunPluginRequest{Pwd: dir, Kind: kind, Info: programInfo(t, dir, nil)})
		if err == nil {
			_, err = stream.Recv()
		}
		if status.Code(err) != codes.Unimplemented || !strings.Contains(err.Error(), kind) {
			t.Fatalf("RunPlugin of a %s plugin: %v", kind, err)
		}
	}
}

func needPython(t *testing.T) {
	t.Helper()
	if _, err := basePython(); err != nil {
		t.Skip(err)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip(err)
	}
}

func programInfo(t *testing.T, dir string, options map[string]any) *pulumirpc.ProgramInfo {
	t.Helper()
	opts, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: ".", Options: opts}
}

func serve(t *testing.T) pulumirpc.LanguageRuntimeClient {
	t.Helper()
	return pulumirpc.NewLanguageRuntimeClient(serveConn(t))
}

// serveConn serves a host on a local port and returns a connection to it.
func serveConn(t *testing.T) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(serverOptions()...)
	pulumirpc.RegisterLanguageRuntimeServer(srv, newHost(context.Background()))
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func runPlugin(
	t *testing.T, client pulumirpc.LanguageRuntimeClient, req *pulumirpc.RunPluginRequest,
) (string, string, int32) {
	t.Helper()
	stream, err := client.RunPlugin(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	for {
		msg, err := stream.Recv()
		if err != nil {
			t.Fatalf("RunPlugin ended without an exit code: %v", err)
		}
		switch out := msg.GetOutput().(type) {
		case *pulumirpc.RunPluginResponse_Stdout:
			stdout.Write(out.Stdout)
		case *pulumirpc.RunPluginResponse_Stderr:
			stderr.Write(out.Stderr)
		case *pulumirpc.RunPluginResponse_Exitcode:
			return stdout.String(), stderr.String(), out.Exitcode
		}
	}
}
