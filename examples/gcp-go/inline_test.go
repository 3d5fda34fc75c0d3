//go:build inline

// Runs this example's program through the Automation API, inline, for the
// repository's end-to-end tests; not part of the example itself.
//
//	go test -c -tags inline -o gcp-go-inline .   (make examples-deps does this)
//	gcp-go-inline up|preview|destroy --stack NAME [--expect-no-changes]
//		[--policy-pack DIR [--policy-pack-config FILE]]...
//
// The Go language host is not available to the tests (docs/toolchain.md), so
// the program has to run in a process of our own. Go cannot import a main
// package from elsewhere, so the driver lives here, in the example's own
// package, where it can call `program` (the function main hands to
// pulumi.Run): the same code a `pulumi up` runs. A _test.go file behind the
// `inline` build tag keeps it out of `go build`, `go vet` and `go test` of
// the example, and `go test -c` turns it into a standalone binary whose
// TestMain is the driver (it never runs the testing framework).
//
// Run it in the project's folder: its Pulumi.yaml and stack settings are used
// as they are (the workspace's work dir is the current directory, so no
// project file is written). The engine is the pulumi CLI named by
// LLMKEYVAULT_PULUMI. Engine output goes to stdout; a failed operation exits 1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

func TestMain(m *testing.M) {
	if err := drive(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func drive(argv []string) error {
	if len(argv) == 0 {
		return fmt.Errorf("usage: %s up|preview|destroy --stack NAME [--expect-no-changes]", filepath.Base(os.Args[0]))
	}
	op := argv[0]
	flags := flag.NewFlagSet(op, flag.ContinueOnError)
	stackName := flags.String("stack", "", "stack name")
	expectNoChanges := flags.Bool("expect-no-changes", false, "fail if the preview shows a change")
	var policyPacks, policyPackConfigs repeated
	flags.Var(&policyPacks, "policy-pack", "run this policy pack (up, preview); repeatable")
	flags.Var(&policyPackConfigs, "policy-pack-config", "its configuration (JSON); repeatable")
	if err := flags.Parse(argv[1:]); err != nil {
		return err
	}
	if *stackName == "" {
		return fmt.Errorf("--stack is required")
	}
	if op != "up" && op != "preview" && op != "destroy" {
		return fmt.Errorf("unknown operation %q: use up, preview or destroy", op)
	}

	ctx := context.Background()
	workDir, err := os.Getwd()
	if err != nil {
		return err
	}
	pulumiBin := os.Getenv("LLMKEYVAULT_PULUMI")
	if pulumiBin == "" {
		return fmt.Errorf("LLMKEYVAULT_PULUMI is not set (the pulumi CLI to drive)")
	}
	// The CLI is ours, built from source, so its version is not the SDK's.
	command, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{
		Root:             filepath.Dir(filepath.Dir(pulumiBin)),
		SkipVersionCheck: true,
	})
	if err != nil {
		return err
	}
	// An inline program in a workspace whose work dir holds the project: its
	// Pulumi.yaml is read, never written.
	workspace, err := auto.NewLocalWorkspace(ctx, auto.WorkDir(workDir), auto.Program(program), auto.Pulumi(command))
	if err != nil {
		return err
	}
	stack, err := auto.SelectStack(ctx, *stackName, workspace)
	if err != nil {
		return err
	}

	switch op {
	case "up":
		_, err = stack.Up(ctx, optup.ProgressStreams(os.Stdout), optup.Color("never"),
			optup.PolicyPacks(policyPacks...), optup.PolicyPackConfigs(policyPackConfigs...))
	case "preview":
		opts := []optpreview.Option{
			optpreview.ProgressStreams(os.Stdout), optpreview.Color("never"),
			optpreview.PolicyPacks(policyPacks...), optpreview.PolicyPackConfigs(policyPackConfigs...),
		}
		if *expectNoChanges {
			opts = append(opts, optpreview.ExpectNoChanges())
		}
		_, err = stack.Preview(ctx, opts...)
	default:
		_, err = stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout), optdestroy.Color("never"))
	}
	return err
}

// repeated is a flag that may be given more than once.
type repeated []string

func (r *repeated) String() string { return fmt.Sprint([]string(*r)) }

func (r *repeated) Set(value string) error {
	*r = append(*r, value)
	return nil
}
