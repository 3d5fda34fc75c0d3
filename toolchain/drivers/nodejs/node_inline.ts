// Run a TypeScript example's program through the Automation API, inline.
//
//     node node_inline.js up|preview|destroy --stack NAME [--expect-no-changes]
//         [--policy-pack DIR [--policy-pack-config FILE]]...
//
// Run in the example's folder: its Pulumi.yaml, tsconfig.json and stack
// settings are used as they are (the workspace's work dir is the current
// directory, so no project file is written). The Node.js language host is not
// available here (docs/toolchain.md), so this process stands in for it: it
// type-checks and compiles the project with its own tsconfig.json, as
// `pulumi up` does, then runs the compiled entry point inside the Automation
// API's in-process language runtime. The module's exports become the stack
// outputs. The real Pulumi engine (LLMKEYVAULT_PULUMI) deploys it. Engine
// output goes to stdout; a failed operation exits 1.
//
// The packages the program imports (@pulumi/pulumi, @llmkeyvault/pulumi) are
// the ones installed beside this driver by `make examples-deps`; the project
// folder gets no node_modules. Type checking finds them through a `paths`
// mapping, and the compiled program is written into a scratch folder beside
// that node_modules, so Node.js finds them the usual way. The driver and the
// program then share one copy of @pulumi/pulumi, which the inline runtime
// needs.
//
// A program that type-checked and compiled is kept under compiled/ beside that
// node_modules, named by the SHA-256 of what the compilation was given (this
// driver, the TypeScript version, tsconfig.json and the project's own files, by
// their paths in the project); with it is the SHA-256 of every other file the
// compiler read (the declarations of @pulumi/pulumi, the SDK, Node.js). The
// next run of the same program uses it when each of those files is unchanged,
// as tsc's incremental builds do; otherwise it compiles again. A failed
// compilation is never kept.

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";

import * as ts from "typescript";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

// build/examples/nodejs: node_modules and scratch folders live here.
const INSTALL_DIR = path.resolve(__dirname, "..");
const NODE_MODULES = path.join(INSTALL_DIR, "node_modules");

type Operation = "up" | "preview" | "destroy";

function usage(): never {
    throw new Error(
        "usage: node_inline.js up|preview|destroy --stack NAME [--expect-no-changes] " +
            "[--policy-pack DIR [--policy-pack-config FILE]]...",
    );
}

interface DriverArgs {
    op: Operation;
    stack: string;
    expectNoChanges: boolean;
    policyPacks: string[];
    policyPackConfigs: string[];
}

function readArgs(argv: string[]): DriverArgs {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            stack: { type: "string" },
            "expect-no-changes": { type: "boolean", default: false },
            "policy-pack": { type: "string", multiple: true, default: [] },
            "policy-pack-config": { type: "string", multiple: true, default: [] },
        },
    });
    const [op] = positionals;
    if (positionals.length !== 1 || (op !== "up" && op !== "preview" && op !== "destroy") || !values.stack) {
        usage();
    }
    return {
        op,
        stack: values.stack,
        expectNoChanges: values["expect-no-changes"] ?? false,
        policyPacks: values["policy-pack"] ?? [],
        policyPackConfigs: values["policy-pack-config"] ?? [],
    };
}

/** The entry point named by package.json `main`, else index.ts. */
function entryPoint(workDir: string): string {
    const packageJson = path.join(workDir, "package.json");
    if (fs.existsSync(packageJson)) {
        const main = JSON.parse(fs.readFileSync(packageJson, "utf-8")).main;
        if (typeof main === "string" && main.endsWith(".ts")) {
            return path.resolve(workDir, main);
        }
    }
    return path.join(workDir, "index.ts");
}

function sha256(...parts: (string | Buffer)[]): string {
    const hash = crypto.createHash("sha256");
    for (const part of parts) {
        hash.update(part);
        hash.update("\0");
    }
    return hash.digest("hex");
}

function fileHash(file: string): string | undefined {
    try {
        return sha256(fs.readFileSync(file));
    } catch {
        return undefined;
    }
}

const MANIFEST = "read-files.json";

/** The compiled entry point of workDir's program: kept from an earlier run when nothing
 * it was compiled from has changed, else compiled now (and kept for the next run). */
function compiled(workDir: string): string {
    const entry = entryPoint(workDir);
    const config = ts.readConfigFile(path.join(workDir, "tsconfig.json"), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config ?? {}, ts.sys, workDir);
    const own = [...new Set([...parsed.fileNames, entry])].sort();
    const key = sha256(
        fs.readFileSync(__filename),
        ts.version,
        fs.readFileSync(path.join(workDir, "tsconfig.json")),
        ...own.flatMap((file) => [path.relative(workDir, file), fs.readFileSync(file)]),
    );
    const relativeEntry = path.relative(workDir, entry).replace(/\.ts$/, ".js");
    const kept = path.join(INSTALL_DIR, "compiled", key);
    const manifest = path.join(kept, MANIFEST);
    if (fs.existsSync(manifest)) {
        const read: Record<string, string> = JSON.parse(fs.readFileSync(manifest, "utf-8"));
        if (Object.entries(read).every(([file, hash]) => fileHash(file) === hash)) {
            return path.join(kept, relativeEntry);
        }
    }
    fs.mkdirSync(path.dirname(kept), { recursive: true });
    const outDir = fs.mkdtempSync(path.join(path.dirname(kept), "new-"));
    try {
        const read = compile(workDir, outDir).filter((file) => !own.includes(file));
        const hashes = Object.fromEntries(read.map((file) => [file, fileHash(file)]));
        fs.writeFileSync(path.join(outDir, MANIFEST), JSON.stringify(hashes));
        fs.rmSync(kept, { recursive: true, force: true });
        fs.renameSync(outDir, kept);
    } catch (err) {
        fs.rmSync(outDir, { recursive: true, force: true });
        if (!fs.existsSync(manifest)) {
            throw err;
        }
        // Another run kept the same program first.
    }
    return path.join(kept, relativeEntry);
}

/** Type-check and compile the project into outDir; every file the compiler read. */
function compile(workDir: string, outDir: string): string[] {
    const diagnostics: ts.Diagnostic[] = [];
    const host: ts.ParseConfigFileHost = {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => diagnostics.push(d),
    };
    const overrides: ts.CompilerOptions = {
        rootDir: workDir,
        outDir,
        noEmit: false,
        // Where `npm install` would have put the project's packages.
        paths: { "*": [path.join(NODE_MODULES, "*")] },
        typeRoots: [path.join(NODE_MODULES, "@types")],
    };
    const config = ts.getParsedCommandLineOfConfigFile(path.join(workDir, "tsconfig.json"), overrides, host);
    const entry = entryPoint(workDir);
    let read: string[] = [];
    if (config) {
        diagnostics.push(...config.errors);
        const program = ts.createProgram({
            rootNames: config.fileNames.includes(entry) ? config.fileNames : [...config.fileNames, entry],
            options: config.options,
            projectReferences: config.projectReferences,
        });
        diagnostics.push(...ts.getPreEmitDiagnostics(program));
        read = program.getSourceFiles().map((file) => path.resolve(file.fileName));
        if (diagnostics.length === 0) {
            diagnostics.push(...program.emit().diagnostics);
        }
    }
    const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length > 0 || !config) {
        const formatHost: ts.FormatDiagnosticsHost = {
            getCanonicalFileName: (f) => f,
            getCurrentDirectory: () => workDir,
            getNewLine: () => "\n",
        };
        throw new Error(`TypeScript errors:\n${ts.formatDiagnostics(errors, formatHost)}`);
    }
    return read;
}

async function main(): Promise<number> {
    const args = readArgs(process.argv.slice(2));
    const workDir = process.cwd();
    const pulumiBin = process.env.LLMKEYVAULT_PULUMI;
    if (!pulumiBin) {
        throw new Error("LLMKEYVAULT_PULUMI is not set (the pulumi CLI to drive)");
    }

    // Compiled when the engine runs the program, as the language host does
    // (`destroy` does not run it).
    const program = async () => {
        const exported = require(compiled(workDir));
        // A program may also export a function; its result becomes the outputs.
        return typeof exported === "function" ? await exported() : exported;
    };

    // The CLI is built from source, so its version is not the SDK's.
    const pulumiCommand = await PulumiCommand.get({
        root: path.dirname(path.dirname(pulumiBin)),
        skipVersionCheck: true,
    });
    const workspace = await LocalWorkspace.create({ workDir, program, pulumiCommand });
    const stack = await Stack.select(args.stack, workspace);
    const onOutput = (out: string) => process.stdout.write(out);
    const policy = { policyPacks: args.policyPacks, policyPackConfigs: args.policyPackConfigs };
    if (args.op === "up") {
        await stack.up({ onOutput, color: "never", ...policy });
    } else if (args.op === "preview") {
        await stack.preview({ onOutput, color: "never", expectNoChanges: args.expectNoChanges, ...policy });
    } else {
        await stack.destroy({ onOutput, color: "never" });
    }
    return 0;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(err instanceof Error ? err.message : String(err));
        process.exit(1);
    },
);
