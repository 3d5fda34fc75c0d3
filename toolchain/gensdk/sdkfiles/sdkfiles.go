// Package sdkfiles is what both SDK generators (toolchain/gensdk at the CLI's engine
// version and toolchain/gensdk/dotnet at pulumi-dotnet's) do alike: read the schema
// and write a generated tree. It does not depend on Pulumi, so each generator
// decodes into the PackageSpec of its own engine version.
package sdkfiles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"gopkg.in/yaml.v3"
)

// DecodeSchema reads a YAML (or JSON, a subset of YAML) schema into spec, a
// pointer to a schema.PackageSpec. It decodes through JSON so the spec's own JSON
// decoders (raw language sections, semver strings) apply; unknown fields are errors.
func DecodeSchema(path string, spec any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	asJSON, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(asJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(spec); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// WriteTree replaces dir with exactly the generated files, written in a fixed order.
func WriteTree(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
