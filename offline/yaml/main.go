// Command pulumi-language-yaml is the Pulumi YAML language host of this
// project's toolchain: pulumi-yaml's own host (github.com/pulumi/pulumi-yaml
// pkg/server), plus the one RPC its v1.25.0 release lacks and the v3.274.1 CLI
// calls: Link, the last step of `pulumi package add`. A YAML program names its
// packages in Pulumi.yaml and needs no SDK, so there is nothing to link; the
// host says so instead of failing. Everything else is pulumi-yaml's.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pulumi/pulumi-yaml/pkg/server"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// yamlHost is pulumi-yaml's language host with Link answered.
type yamlHost struct {
	pulumirpc.LanguageRuntimeServer
}

func (yamlHost) Link(context.Context, *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return &pulumirpc.LinkResponse{
		ImportInstructions: "Pulumi YAML uses the package through the `packages:` entry of Pulumi.yaml; no SDK is needed.",
	}, nil
}

func main() {
	tracing := flag.String("tracing", "", "emit tracing to a Zipkin-compatible endpoint")
	flag.String("root", "", "root of the program execution (unused)")
	flag.String("compiler", "", "obsolete; ignored")
	flag.Parse()
	logging.InitLogging(false, 0, false)
	cmdutil.InitTracing("pulumi-language-yaml", "pulumi-language-yaml", *tracing)

	var engine string
	var stop chan bool
	if flag.NArg() > 0 {
		engine = flag.Arg(0)
		var err error
		if stop, err = stopWhenEngineGoes(engine); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start the engine health check: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, yamlHost{server.NewLanguageHost(engine, *tracing, false)})
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start the language host: %w", err))
	}
	fmt.Printf("%d\n", handle.Port) // the engine reads the port from stdout
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host stopped serving: %w", err))
	}
}

// stopWhenEngineGoes returns a channel closed on SIGINT or once the engine
// stops answering health checks, so the host never outlives its engine.
func stopWhenEngineGoes(engine string) (chan bool, error) {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		cancel()
		close(stop)
	}()
	if err := rpcutil.Healthcheck(ctx, engine, 5*time.Minute, cancel); err != nil {
		return nil, err
	}
	return stop, nil
}
