// Command pulumi-language-python is a reduced Python language host for the
// Pulumi engine, built in this repository because the upstream host is not
// served by the Go module proxy (see docs/python-host.md).
//
// It serves Python plugins and policy packs from source, that is folders with a
// PulumiPlugin.yaml or PulumiPolicy.yaml declaring `runtime: python`:
// InstallDependencies makes the folder's virtual environment with pip, and
// RunPlugin runs the folder's __main__.py in it (a resource provider, or a
// policy pack the engine loads for `--policy-pack`). It does not run Pulumi
// programs or generate code; those calls, and RunPlugin for other plugin
// kinds, answer Unimplemented.
//
// The engine starts a language host as
//
//	pulumi-language-python [--logtostderr] [-v=N] [--tracing ENDPOINT] ENGINE_ADDRESS
//
// (older engines, such as v3.206.0 inside pulumi-language-yaml v1.25.0, also
// pass `-root=DIR` and one `-OPTION=VALUE` per runtime option) and reads the
// port of its gRPC server from the first line of stdout.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// healthInterval is how often the host checks that the engine is still there.
const healthInterval = 5 * time.Minute

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: %v\n", err)
		os.Exit(1)
	}
}

// commandLine is what the engine passes to a language host.
type commandLine struct {
	logToStderr   bool
	verbose       int
	tracing       string
	engineAddress string
	ignored       []string
}

// parseCommandLine reads the engine's arguments. It is lenient on purpose:
// older engines pass a flag per runtime option (-virtualenv=venv, -root=...),
// which this host reads from each request instead, so unknown flags are
// ignored rather than fatal. The engine address is the last positional argument.
func parseCommandLine(args []string) (commandLine, error) {
	var cl commandLine
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			if rest := args[i+1:]; len(rest) > 0 {
				cl.engineAddress = rest[len(rest)-1]
			}
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			cl.engineAddress = arg
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		switch name {
		case "logtostderr":
			cl.logToStderr = !hasValue || value == "true"
		case "v":
			if !hasValue && i+1 < len(args) {
				i++
				value = args[i]
			}
			n, err := strconv.Atoi(value)
			if err != nil {
				return cl, fmt.Errorf("bad -v value %q", value)
			}
			cl.verbose = n
		case "tracing":
			if !hasValue && i+1 < len(args) {
				i++
				value = args[i]
			}
			cl.tracing = value
		default:
			cl.ignored = append(cl.ignored, arg)
		}
	}
	return cl, nil
}

func run(args []string) error {
	cl, err := parseCommandLine(args)
	if err != nil {
		return err
	}
	logging.InitLogging(cl.logToStderr, cl.verbose, false)
	logging.V(5).Infof("pulumi-language-python: engine at %q; ignored arguments %v; tracing %q not reported",
		cl.engineAddress, cl.ignored, cl.tracing)

	// Stop when the engine goes away or asks us to stop: end the plugins
	// first (their RunPlugin calls), then the server.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cl.engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, cl.engineAddress, healthInterval, stop); err != nil {
			return fmt.Errorf("could not check the engine's health: %w", err)
		}
	}
	cancel := make(chan bool)
	host := newHost(ctx)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel:  cancel,
		Options: serverOptions(),
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("could not start the language host server: %w", err)
	}
	go func() {
		<-ctx.Done()
		host.wait()
		close(cancel)
	}()

	// The engine reads this line to learn where to connect.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		return fmt.Errorf("language host server stopped: %w", err)
	}
	return nil
}
