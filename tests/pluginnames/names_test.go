// Package pluginnames checks the plugin's release archives against the engine's own
// download code (github.com/pulumi/pulumi/sdk/v3/go/common/workspace, at the CLI's
// version): for each platform the engine downloads plugins for, the asset it asks the
// GitHub release for is one of the archives in LLMKEYVAULT_DIST.
//
// Run by tests/test_plugin.py with LLMKEYVAULT_DIST (the dist/ folder),
// LLMKEYVAULT_VERSION and LLMKEYVAULT_PLUGIN_DOWNLOAD_URL (the schema's).
package pluginnames

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// The platforms the engine downloads plugins for (PluginDescriptor.Download accepts
// darwin, linux and windows on amd64 and arm64), and whether a release carries one.
var platforms = []struct {
	os, arch string
	released bool
}{
	{"linux", "amd64", true},
	{"linux", "arm64", true},
	{"darwin", "amd64", true},
	{"darwin", "arm64", true},
	{"windows", "amd64", true},
	{"windows", "arm64", false}, // grpcio publishes no wheel for it
}

const assetHost = "https://assets.invalid/"

func env(t *testing.T, name string) string {
	value := os.Getenv(name)
	if value == "" {
		t.Skipf("%s is not set: run through tests/test_plugin.py", name)
	}
	return value
}

// release answers the engine's requests as GitHub would for a release holding the
// archives: the release's asset list, then the asset it picks (its body is its name).
type release struct {
	tag     string
	assets  []string
	fetched []string
}

func (r *release) get(req *http.Request) (io.ReadCloser, int64, error) {
	url := req.URL.String()
	if strings.HasSuffix(url, "/releases/tags/"+r.tag) {
		type asset struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		}
		listing := struct {
			Assets []asset `json:"assets"`
		}{}
		for _, name := range r.assets {
			listing.Assets = append(listing.Assets, asset{Name: name, URL: assetHost + name})
		}
		body, err := json.Marshal(listing)
		return io.NopCloser(bytes.NewReader(body)), int64(len(body)), err
	}
	if name, ok := strings.CutPrefix(url, assetHost); ok {
		r.fetched = append(r.fetched, name)
		return io.NopCloser(strings.NewReader(name)), int64(len(name)), nil
	}
	return nil, -1, errors.New("unexpected request " + url)
}

func TestEachPlatformDownloadsItsArchive(t *testing.T) {
	dist := env(t, "LLMKEYVAULT_DIST")
	version := semver.MustParse(env(t, "LLMKEYVAULT_VERSION"))
	downloadURL := env(t, "LLMKEYVAULT_PLUGIN_DOWNLOAD_URL")

	archives, err := filepath.Glob(filepath.Join(dist, "pulumi-resource-llmkeyvault-*.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	r := &release{tag: "v" + version.String()}
	for _, archive := range archives {
		r.assets = append(r.assets, filepath.Base(archive))
	}
	sort.Strings(r.assets)

	spec := workspace.PluginSpec{
		Name:              "llmkeyvault",
		Kind:              apitype.ResourcePlugin,
		Version:           &version,
		PluginDownloadURL: downloadURL,
	}
	source, err := spec.GetSource()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range platforms {
		body, _, err := source.Download(context.Background(), version, p.os, p.arch, r.get)
		if !p.released {
			if err == nil {
				t.Errorf("%s-%s: the engine found an archive, but none is released for it", p.os, p.arch)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s-%s: the engine finds no archive among %v: %v", p.os, p.arch, r.assets, err)
			continue
		}
		got, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s-%s: %s", p.os, p.arch, got)
	}
	// Every archive is the one some platform downloads, and no two platforms share one.
	fetched := append([]string(nil), r.fetched...)
	sort.Strings(fetched)
	if strings.Join(fetched, " ") != strings.Join(r.assets, " ") {
		t.Errorf("the engine downloaded %v; the release holds %v", fetched, r.assets)
	}
}
