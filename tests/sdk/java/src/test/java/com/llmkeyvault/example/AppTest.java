package com.llmkeyvault.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.pulumi.core.Output;
import com.pulumi.resources.Resource;
import com.pulumi.test.Mocks;
import com.pulumi.test.PulumiTest;
import com.pulumi.test.TestOptions;
import com.pulumi.test.TestResult;
import com.pulumi.test.internal.MockMonitor;
import com.pulumi.test.internal.PulumiTestInternal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import pulumirpc.Resource.RegisterResourceRequest;
import pulumirpc.Resource.RegisterResourceResponse;

/**
 * Runs {@link App} under pulumi-java's mocks. A recording monitor keeps the raw protobuf
 * request of every RegisterResource call, before the mocks decode it (decoding drops the
 * secret markers), so the test sees how {@code apiKey} goes over the wire.
 */
class AppTest {
    static final String VAULT_TYPE = "llmkeyvault:index:LlmKeyVault";
    static final String PROJECT = "sdk-check";
    // Pulumi's wire form of a secret: {SECRET_SIG_KEY: SECRET_SIG, "value": ...}.
    static final String SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
    static final String SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
    static final String OPENAI_KEY = "sk-test-openai-0000000000000000";
    static final String ANTHROPIC_KEY = "sk-test-anthropic-1111111111111111";

    /** Every resource the program registers; each resource's state is its inputs. */
    static final class RecordingMocks implements Mocks {
        final List<ResourceArgs> resources = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<ResourceResult> newResourceAsync(ResourceArgs args) {
            resources.add(args);
            return CompletableFuture.completedFuture(ResourceResult.of(Optional.of(args.name + "-id"), args.inputs));
        }
    }

    static final class RecordingMonitor extends MockMonitor {
        final List<RegisterResourceRequest> requests = new CopyOnWriteArrayList<>();

        RecordingMonitor(Mocks mocks) {
            super(mocks, PulumiTestInternal.mockLog());
        }

        @Override
        public CompletableFuture<RegisterResourceResponse> registerResourceAsync(
                Resource resource, RegisterResourceRequest request) {
            requests.add(request);
            return super.registerResourceAsync(resource, request);
        }
    }

    final RecordingMocks mocks = new RecordingMocks();
    final RecordingMonitor monitor = new RecordingMonitor(mocks);

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    TestResult run(Map<String, String> config, Set<String> secretKeys, Consumer<com.pulumi.Context> program) {
        var result = PulumiTestInternal.builder()
                .options(TestOptions.builder().projectName(PROJECT).stackName("dev").preview(false).build())
                .mocks(mocks)
                .monitorDecorator(defaultMonitor -> monitor)
                .config(config, secretKeys)
                .build()
                .runTest(program);
        assertEquals(List.of(), result.errors());
        assertEquals(List.of(), result.exceptions());
        assertEquals(0, result.exitCode());
        return result;
    }

    TestResult runStack() {
        return run(
                Map.of(PROJECT + ":openaiApiKey", OPENAI_KEY, PROJECT + ":anthropicApiKey", ANTHROPIC_KEY),
                Set.of(PROJECT + ":openaiApiKey", PROJECT + ":anthropicApiKey"),
                App::stack);
    }

    RegisterResourceRequest vaultRequest(String name) {
        var found = new ArrayList<RegisterResourceRequest>();
        for (var request : monitor.requests) {
            if (request.getType().equals(VAULT_TYPE) && request.getName().equals(name)) {
                found.add(request);
            }
        }
        assertEquals(1, found.size(), "RegisterResource requests for " + name);
        return found.get(0);
    }

    static List<Struct> providersOnTheWire(RegisterResourceRequest request) {
        var providers = request.getObject().getFieldsOrThrow("providers");
        assertEquals(Value.KindCase.LIST_VALUE, providers.getKindCase(), "the providers list itself is plain");
        var structs = new ArrayList<Struct>();
        for (var provider : providers.getListValue().getValuesList()) {
            assertEquals(Value.KindCase.STRUCT_VALUE, provider.getKindCase());
            structs.add(provider.getStructValue());
        }
        return structs;
    }

    /** "secret" when the value is wrapped in Pulumi's secret signature, else "plain". */
    static String wireForm(Value value) {
        if (value.getKindCase() == Value.KindCase.STRUCT_VALUE) {
            var fields = value.getStructValue().getFieldsMap();
            var sig = fields.get(SECRET_SIG_KEY);
            if (sig != null && sig.getStringValue().equals(SECRET_SIG)) {
                return "secret";
            }
        }
        return "plain";
    }

    @Test
    void componentIsRegisteredWithItsInputs() {
        var result = runStack();

        var vaults = new ArrayList<Mocks.ResourceArgs>();
        for (var args : mocks.resources) {
            if (args.type.equals(VAULT_TYPE)) {
                vaults.add(args);
            }
        }
        assertEquals(1, vaults.size());
        var vault = vaults.get(0);
        assertEquals("llm-keys", vault.name);

        var inputs = new LinkedHashMap<>(vault.inputs);
        var providers = (List<?>) inputs.remove("providers");
        // allowWorkspaceUsers, adopt, workspaceUsersAcl, deployerAcl and rotationWarningDays are
        // not set by the program:
        // the SDK sends the schema's defaults (numbers travel as doubles).
        assertEquals(
                Map.of(
                        "allowWorkspaceUsers", false,
                        "adopt", false,
                        "workspaceUsersAcl", false,
                        "deployerAcl", true,
                        "rotationWarningDays", 14.0,
                        "backend", "databricks",
                        "scopePerProvider", true,
                        "uniqueSuffix", true,
                        "readers", List.of("data-science"),
                        "managers", List.of("platform-admins")),
                inputs);
        assertEquals(
                List.of(
                        // external is not set by the program: the schema's default
                        Map.of("name", "openai", "apiKey", OPENAI_KEY, "readers", List.of("ml-serving"), "external", false),
                        Map.of(
                                "name", "anthropic",
                                "apiKey", ANTHROPIC_KEY,
                                "secretKey", "claude-api-key",
                                "envVarName", "ANTHROPIC_API_KEY",
                                "external", false)),
                providers);

        // A component that runs in the provider plugin, not in this process.
        assertTrue(vaultRequest("llm-keys").getRemote(), "LlmKeyVault is not registered as a remote component");
        assertTrue(
                result.resources().stream().anyMatch(r -> r.pulumiResourceType().equals(VAULT_TYPE)),
                "the program's resources have no LlmKeyVault");
        assertTrue(result.outputs().keySet().containsAll(Set.of("scopes", "secretReferences", "environmentVariables")));
    }

    @Test
    void apiKeyIsSentAsASecret() {
        runStack();

        var providers = providersOnTheWire(vaultRequest("llm-keys"));
        assertEquals(2, providers.size());
        for (var provider : providers) {
            var fields = provider.getFieldsMap();
            assertEquals("secret", wireForm(fields.get("apiKey")), "apiKey of " + fields.get("name"));
            assertEquals("plain", wireForm(fields.get("name")));
            var key = fields.get("apiKey").getStructValue().getFieldsOrThrow("value").getStringValue();
            assertTrue(key.startsWith("sk-test-"), "the secret carries the key");
        }
    }

    /**
     * The generated SDK wraps no nested input in a secret (pulumi-java marks only a
     * resource's top-level secret inputs), so a key given as a plain value goes over the
     * wire plain, next to a secret one that stays secret; the provider then treats every
     * {@code apiKey} as a secret before any child resource sees it. Hence the README's
     * advice: pass each key as a secret.
     */
    @Test
    void aPlainApiKeyIsSentAsGiven() {
        run(Map.of(), Set.of(), ctx -> App.databricksVault("mixed", Output.ofSecret(OPENAI_KEY), Output.of(ANTHROPIC_KEY)));

        var forms = new LinkedHashMap<String, String>();
        for (var provider : providersOnTheWire(vaultRequest("mixed"))) {
            var fields = provider.getFieldsMap();
            forms.put(fields.get("name").getStringValue(), wireForm(fields.get("apiKey")));
        }
        assertEquals(Map.of("openai", "secret", "anthropic", "plain"), forms);
    }

    /** A Unity Catalog vault: its backing, referencers and expiry reach the provider as given. */
    @Test
    void aUnityCatalogVaultIsRegisteredWithItsInputs() {
        run(Map.of(), Set.of(), ctx -> App.unityCatalogVault("uc", Output.ofSecret(OPENAI_KEY)));

        var fields = vaultRequest("uc").getObject().getFieldsMap();
        assertEquals("unity-catalog", fields.get("backend").getStringValue());
        var backing = fields.get("unityCatalog").getStructValue().getFieldsMap();
        assertEquals("main", backing.get("catalog").getStringValue());
        assertEquals("llm_keys", backing.get("schema").getStringValue());
        assertEquals("serving-sp", fields.get("referencers").getListValue().getValues(0).getStringValue());
        assertEquals(30.0, fields.get("rotationWarningDays").getNumberValue());
        var provider = providersOnTheWire(vaultRequest("uc")).get(0).getFieldsMap();
        assertEquals("2027-03-31T00:00:00Z", provider.get("expiresAt").getStringValue());
        assertEquals("secret", wireForm(provider.get("apiKey")));
    }
}
