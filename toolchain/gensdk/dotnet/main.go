// Command gensdk-dotnet generates the C# SDK of the llmkeyvault package from
// schema.yaml with the .NET code generator of pulumi-dotnet (the library behind
// pulumi-language-dotnet), fully offline. It is a module of its own because
// pulumi-dotnet is built on an older Pulumi engine library than the CLI.
//
// `pulumi package gen-sdk --language dotnet` with a pulumi-language-dotnet built
// from this same module fails here, for the reason this program deals with:
//
//   - The .NET code generator fetches the package icon (logo.png) over HTTP
//     every time it runs: the schema's logoUrl, or Pulumi's default logo on
//     raw.githubusercontent.com. Here the HTTP client is replaced by one that
//     answers the default logo's URL from a local file (-logo: the same bytes, as
//     kept in the generator's own test data), the schema's logoUrl from the
//     repository's copy of that file (-package-logo), and refuses every other
//     request, so generation is offline and deterministic.
//
// Like ../main.go it reads the YAML schema generically and decodes it as JSON
// (the CLI's YAML reader rejects the `language` section).
//
// Usage:
//
//	gensdk-dotnet -schema schema.yaml -out sdk/dotnet -logo path/to/logo.png [-package-logo docs/logo.png]
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/blang/semver"
	dotnetgen "github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3/codegen"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"llmkeyvault/toolchain/gensdk/sdkfiles"
)

// defaultLogoURL is the icon the .NET code generator downloads when the schema
// has no logoUrl.
const defaultLogoURL = "https://raw.githubusercontent.com/pulumi/pulumi/" +
	"dbc96206bec722b7791a22ff50e895ab7c0abdc0/sdk/dotnet/pulumi_logo_64x64.png"

func main() {
	schemaPath := flag.String("schema", "schema.yaml", "package schema, YAML or JSON")
	out := flag.String("out", "sdk/dotnet", "output directory; replaced entirely")
	logo := flag.String("logo", "", "local copy of the default package icon")
	packageLogo := flag.String("package-logo", "", "local copy of the schema's logoUrl")
	flag.Parse()
	if err := run(*schemaPath, *out, *logo, *packageLogo); err != nil {
		fmt.Fprintf(os.Stderr, "gensdk: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, out, logoPath, packageLogoPath string) error {
	if logoPath == "" {
		return errors.New("-logo is required")
	}
	logo, err := os.ReadFile(logoPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := sdkfiles.DecodeSchema(schemaPath, &spec); err != nil {
		return err
	}
	offline := offlineTransport{files: map[string][]byte{defaultLogoURL: logo}}
	if spec.LogoURL != "" {
		if packageLogoPath == "" {
			return fmt.Errorf("the schema's logoUrl %s needs -package-logo, a local copy of it", spec.LogoURL)
		}
		if offline.files[spec.LogoURL], err = os.ReadFile(packageLogoPath); err != nil {
			return err
		}
	}
	http.DefaultTransport = offline
	http.DefaultClient.Transport = offline
	pkg, diags, err := schema.BindSpec(spec, offlineLoader{}, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("binding %s: %w", schemaPath, err)
	}
	if diags.HasErrors() {
		return fmt.Errorf("binding %s: %s", schemaPath, diags.Error())
	}

	files, err := dotnetgen.GeneratePackage("pulumi-language-dotnet", pkg, nil, nil)
	if err != nil {
		return err
	}
	return sdkfiles.WriteTree(out, files)
}

// offlineTransport answers known URLs from memory and refuses the rest.
type offlineTransport struct{ files map[string][]byte }

func (t offlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, ok := t.files[req.URL.String()]
	if !ok {
		return nil, fmt.Errorf("offline: refusing to fetch %s", req.URL)
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": []string{"image/png"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

// offlineLoader refuses to load other packages: the schema refers to none of
// their types, and plugins are not downloaded here.
type offlineLoader struct{}

func (offlineLoader) LoadPackage(name string, version *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("offline: the schema refers to package %q (version %v); "+
		"loading other packages' schemas is not supported", name, version)
}

func (l offlineLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, d.Version)
}
