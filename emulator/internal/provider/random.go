package provider

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"llmkeyvault/emulator/internal/workspace"
)

// TokenRandomID is the type token of random.RandomId (pulumi-random 4.21.4).
const TokenRandomID = "random:index/randomId:RandomId"

// Random is the emulated random package.
var Random = &Package{
	Name:           "random",
	DefaultVersion: "4.21.4",
	VersionEnv:     "LLMKEYVAULT_EMULATOR_RANDOM_VERSION",
	Config:         map[string]string{},
	Resources: map[string]*ResourceType{
		TokenRandomID: {
			Token:   TokenRandomID,
			Kind:    workspace.KindRandomID,
			Inputs:  []string{"byteLength", "keepers", "prefix"},
			Replace: set("byteLength", "keepers", "prefix"),
			Check:   checkRandomID,
			Create:  createRandomID,
			Read:    readRandomID,
			Delete:  deleteRandomID,
			Schema:  randomIDSchema,
		},
	},
}

func checkRandomID(s *Server, call *checkCall) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	c := &checker{}
	ins := call.News.Copy()
	if !get(ins, "byteLength").present {
		c.fail("byteLength", "Missing required property 'byteLength'")
	} else if n, ok := c.optionalInt(ins, "byteLength"); ok && n < 1 {
		c.fail("byteLength", "expected byteLength to be at least (1), got %d", n)
	}
	c.optionalString(ins, "prefix")
	if k, ok := c.optionalObject(ins, "keepers"); ok {
		for key := range k {
			c.optionalString(k, string(key))
		}
	}
	return ins, c.failures
}

// randomIDValues computes the outputs of RandomId from its bytes, as the
// real provider does: the id is the unprefixed URL-safe base64.
func randomIDValues(b []byte, prefix string) (string, resource.PropertyMap) {
	b64url := base64.RawURLEncoding.EncodeToString(b)
	dec := new(big.Int).SetBytes(b).String()
	return b64url, resource.PropertyMap{
		"hex":    resource.NewStringProperty(prefix + hex.EncodeToString(b)),
		"dec":    resource.NewStringProperty(prefix + dec),
		"b64Std": resource.NewStringProperty(prefix + base64.StdEncoding.EncodeToString(b)),
		"b64Url": resource.NewStringProperty(prefix + b64url),
	}
}

func createRandomID(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, error) {
	outs := copyInputs(call.News, "byteLength", "keepers", "prefix")
	if call.Preview {
		for _, k := range []string{"hex", "dec", "b64Std", "b64Url"} {
			outs[pk(k)] = computed()
		}
		return "", outs, nil
	}
	n, _ := (&checker{}).optionalInt(call.News, "byteLength")
	prefix, _ := get(call.News, "prefix").str()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	id, vals := randomIDValues(b, prefix)
	err := s.mutate(ctx, workspace.KindRandomID, "create", call.URN.Name(), func(*workspace.Workspace, int64) error { return nil })
	if err != nil {
		return "", nil, fmt.Errorf("creating random id: %w", err)
	}
	for k, v := range vals {
		outs[k] = v
	}
	return id, outs, nil
}

func readRandomID(s *Server, ctx context.Context, call *opCall) (string, resource.PropertyMap, resource.PropertyMap, error) {
	if err := s.read(ctx, workspace.KindRandomID, func(*workspace.Workspace) error { return nil }); err != nil {
		return "", nil, nil, err
	}
	outs := call.Olds.Copy()
	if !get(outs, "hex").present {
		// Import: the id is the URL-safe base64 of the bytes.
		b, err := base64.RawURLEncoding.DecodeString(call.ID)
		if err != nil {
			return "", nil, nil, fmt.Errorf("cannot import random id %q: %w", call.ID, err)
		}
		_, vals := randomIDValues(b, "")
		for k, v := range vals {
			outs[k] = v
		}
		outs[pk("byteLength")] = resource.NewNumberProperty(float64(len(b)))
	}
	ins := readInputs(call.News, outs, "byteLength", "keepers", "prefix")
	return call.ID, outs, ins, nil
}

func deleteRandomID(s *Server, ctx context.Context, call *opCall) error {
	return s.mutate(ctx, workspace.KindRandomID, "delete", call.URN.Name(), func(*workspace.Workspace, int64) error { return nil })
}
