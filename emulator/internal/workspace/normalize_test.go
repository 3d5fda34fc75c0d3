package workspace

import (
	"encoding/json"
	"reflect"
	"testing"
)

// nilMaps names the map fields of v (a struct, embedded structs included) that are nil.
func nilMaps(v reflect.Value, prefix string) []string {
	var out []string
	for i := 0; i < v.NumField(); i++ {
		f, field := v.Field(i), v.Type().Field(i)
		switch {
		case field.Anonymous && f.Kind() == reflect.Struct:
			out = append(out, nilMaps(f, prefix)...)
		case f.Kind() == reflect.Map && f.IsNil():
			out = append(out, prefix+field.Name)
		}
	}
	return out
}

// A file written before a field existed loads with every map of the workspace, its
// scopes and its vaults empty rather than nil, so a write into one cannot panic.
func TestLoadedWorkspaceHasNoNilMaps(t *testing.T) {
	w := &Workspace{}
	if err := json.Unmarshal([]byte(`{"formatVersion":1,"scopes":{"llm":{"name":"llm"}},"vaults":{"rg/kv":{}}}`), w); err != nil {
		t.Fatal(err)
	}
	if got := nilMaps(reflect.ValueOf(*w), ""); len(got) == 0 {
		t.Fatal("the file should leave some maps nil before normalize")
	}
	w.normalize()
	if got := nilMaps(reflect.ValueOf(*w), ""); len(got) != 0 {
		t.Errorf("nil after normalize: %v", got)
	}
	if got := nilMaps(reflect.ValueOf(*w.Scopes["llm"]), "scope."); len(got) != 0 {
		t.Errorf("nil after normalize: %v", got)
	}
	if got := nilMaps(reflect.ValueOf(*w.Vaults["rg/kv"]), "vault."); len(got) != 0 {
		t.Errorf("nil after normalize: %v", got)
	}
}
