// Command gensdk-java generates the Java SDK of the llmkeyvault package from
// schema.yaml with pulumi-java's code generator (the library behind
// pulumi-language-java and pulumi-java-gen), fully offline, and writes the
// Maven project file that builds it. It is a module of its own because
// pulumi-java is built on an older Pulumi engine library than the CLI (and than
// the C# generator in ../dotnet).
//
// What the generator needs:
//
//   - The schema's `language.java` section: `basePackage` (the Java package is
//     `<basePackage>.<package name>`; left out it is `com.pulumi.<name>`),
//     `buildFiles: none` (no Gradle project: Gradle is not used here, Maven is)
//     and `dependencies` pinning com.pulumi:pulumi (else the generator asks for
//     1.0.0). The section is checked strictly here: the generator's own reader
//     drops fields it does not know, so a typo would pass unnoticed.
//   - Nothing from the network: the schema refers to no other package, and a
//     loader that refuses to load one makes sure of it.
//
// With `buildFiles: none` the generator writes the sources and version.txt. This
// program adds what pulumi-java's Gradle template would make at build time and
// what Maven needs, all from the same schema:
//
//   - src/main/resources/<package path>/plugin.json, by which the Java language
//     host finds the provider plugin the package needs (name and version);
//   - pom.xml: group `<basePackage>`, artifact `<package name>`, the schema's
//     version, description, licence and repository, the generator's dependency
//     list, Java 11 like the Gradle template, reproducible jars and a sources jar.
//
// Like ../main.go it reads the YAML schema generically and decodes it as JSON.
//
// Usage:
//
//	gensdk-java -schema schema.yaml -out sdk/java
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/template"

	"github.com/blang/semver"
	javagen "github.com/pulumi/pulumi-java/pkg/codegen/java"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"llmkeyvault/toolchain/gensdk/sdkfiles"
)

// generatorTool names the generator in the header of every generated file.
const generatorTool = "pulumi-java-gen"

func main() {
	schemaPath := flag.String("schema", "schema.yaml", "package schema, YAML or JSON")
	out := flag.String("out", "sdk/java", "output directory; replaced entirely")
	flag.Parse()
	if err := run(*schemaPath, *out); err != nil {
		fmt.Fprintf(os.Stderr, "gensdk-java: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, out string) error {
	var spec schema.PackageSpec
	if err := sdkfiles.DecodeSchema(schemaPath, &spec); err != nil {
		return err
	}
	info, err := javaSection(spec)
	if err != nil {
		return fmt.Errorf("%s: language.java: %w", schemaPath, err)
	}
	if spec.Version == "" {
		return fmt.Errorf("%s: the package has no version", schemaPath)
	}

	pkg, diags, err := schema.BindSpec(spec, offlineLoader{}, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("binding %s: %w", schemaPath, err)
	}
	if diags.HasErrors() {
		return fmt.Errorf("binding %s: %s", schemaPath, diags.Error())
	}

	files, err := javagen.GeneratePackage(generatorTool, pkg, nil, nil, false, false)
	if err != nil {
		return err
	}

	javaPackage := strings.TrimSuffix(info.BasePackageOrDefault(), ".") + "." + pkg.Name
	resources := "src/main/resources/" + strings.ReplaceAll(javaPackage, ".", "/") + "/"
	if _, ok := files[resources+"version.txt"]; !ok {
		return fmt.Errorf("the generator wrote no %sversion.txt; is buildFiles still none?", resources)
	}
	if files[resources+"plugin.json"], err = pluginJSON(pkg); err != nil {
		return err
	}
	if files["pom.xml"], err = pom(pkg, info); err != nil {
		return err
	}
	return sdkfiles.WriteTree(out, files)
}

// javaSection reads language.java strictly and checks what this build relies on.
func javaSection(spec schema.PackageSpec) (javagen.PackageInfo, error) {
	var info javagen.PackageInfo
	raw, ok := spec.Language["java"]
	if !ok {
		return info, errors.New("missing")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&info); err != nil {
		return info, err
	}
	switch {
	case info.BasePackage == "":
		return info, errors.New("basePackage is required (the default puts the SDK under com.pulumi)")
	case info.BuildFiles != "none":
		return info, errors.New(`buildFiles must be "none": the SDK is built with the pom.xml written here`)
	case info.Dependencies["com.pulumi:pulumi"] == "":
		return info, errors.New(`dependencies must pin "com.pulumi:pulumi"`)
	}
	return info, nil
}

// pluginJSON is the resource pulumi-java's Gradle build writes beside version.txt.
func pluginJSON(pkg *schema.Package) ([]byte, error) {
	plugin := struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server,omitempty"`
	}{true, pkg.Name, pkg.Version.String(), pkg.PluginDownloadURL}
	b, err := json.MarshalIndent(plugin, "", "    ")
	return append(b, '\n'), err
}

type dependency struct{ GroupID, ArtifactID, Version string }

// XML is d as the pom element named element (dependency, plugin), indented
// by indent spaces.
func (d dependency) XML(element string, indent int) string {
	in := strings.Repeat(" ", indent)
	return in + "<" + element + ">\n" +
		in + "    <groupId>" + xmlText(d.GroupID) + "</groupId>\n" +
		in + "    <artifactId>" + xmlText(d.ArtifactID) + "</artifactId>\n" +
		in + "    <version>" + xmlText(d.Version) + "</version>\n" +
		in + "</" + element + ">"
}

// managedPlugins pins the Maven plugins of the build (pluginManagement).
var managedPlugins = []dependency{
	{"org.apache.maven.plugins", "maven-clean-plugin", "3.4.0"},
	{"org.apache.maven.plugins", "maven-resources-plugin", "3.3.1"},
	{"org.apache.maven.plugins", "maven-compiler-plugin", "3.13.0"},
	{"org.apache.maven.plugins", "maven-surefire-plugin", "3.5.2"},
	{"org.apache.maven.plugins", "maven-jar-plugin", "3.4.2"},
	{"org.apache.maven.plugins", "maven-source-plugin", "3.3.1"},
	{"org.apache.maven.plugins", "maven-install-plugin", "3.1.3"},
	{"org.apache.maven.plugins", "maven-deploy-plugin", "3.1.3"},
}

type pomData struct {
	Tool, GroupID, ArtifactID, Version, Name, Description, URL, License string
	Dependencies                                                        []dependency
	ManagedPlugins                                                      []dependency
}

func pom(pkg *schema.Package, info javagen.PackageInfo) ([]byte, error) {
	// The generator's own defaults (gson, jsr305), under the schema's pins.
	info = info.WithDefaultDependencies()
	data := pomData{
		Tool:           generatorTool,
		GroupID:        strings.TrimSuffix(info.BasePackage, "."),
		ArtifactID:     pkg.Name,
		Version:        pkg.Version.String(),
		Name:           pkg.DisplayName,
		Description:    strings.TrimSpace(pkg.Description),
		URL:            pkg.Repository,
		License:        pkg.License,
		ManagedPlugins: managedPlugins,
	}
	if data.Name == "" {
		data.Name = pkg.Name
	}
	for coordinates, version := range info.Dependencies {
		group, artifact, ok := strings.Cut(coordinates, ":")
		if !ok || group == "" || artifact == "" || version == "" {
			return nil, fmt.Errorf("dependency %q: want groupId:artifactId and a version", coordinates)
		}
		data.Dependencies = append(data.Dependencies, dependency{group, artifact, version})
	}
	sort.Slice(data.Dependencies, func(i, j int) bool {
		a, b := data.Dependencies[i], data.Dependencies[j]
		return a.GroupID+":"+a.ArtifactID < b.GroupID+":"+b.ArtifactID
	})
	var buf bytes.Buffer
	if err := pomTemplate.Execute(&buf, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// xmlEscaper escapes the characters that cannot stand as they are in an XML
// element's text (encoding/xml's EscapeText would also encode newlines).
var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// xmlText escapes text for an XML element.
func xmlText(s string) string { return xmlEscaper.Replace(s) }

var pomTemplate = template.Must(template.New("pom.xml").Funcs(template.FuncMap{"x": xmlText}).Parse(
	`<?xml version="1.0" encoding="UTF-8"?>
<!-- *** WARNING: this file was generated by {{x .Tool}} (toolchain/gensdk/java) from schema.yaml. *** -->
<!-- *** Do not edit by hand: run make gen-sdk. *** -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
    <modelVersion>4.0.0</modelVersion>

    <groupId>{{x .GroupID}}</groupId>
    <artifactId>{{x .ArtifactID}}</artifactId>
    <version>{{x .Version}}</version>
    <packaging>jar</packaging>

    <name>{{x .Name}}</name>
    <description>{{x .Description}}</description>
{{- if .URL}}
    <url>{{x .URL}}</url>
{{- end}}
{{- if .License}}
    <licenses>
        <license>
            <name>{{x .License}}</name>
        </license>
    </licenses>
{{- end}}
{{- if .URL}}
    <scm>
        <url>{{x .URL}}</url>
    </scm>
{{- end}}

    <properties>
        <maven.compiler.release>11</maven.compiler.release>
        <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
        <!-- Reproducible jars: fixed entry times. -->
        <project.build.outputTimestamp>1980-01-01T00:00:02Z</project.build.outputTimestamp>
    </properties>

    <dependencies>
{{- range .Dependencies}}
{{.XML "dependency" 8}}
{{- end}}
    </dependencies>

    <build>
        <pluginManagement>
            <plugins>
{{- range .ManagedPlugins}}
{{.XML "plugin" 16}}
{{- end}}
            </plugins>
        </pluginManagement>
        <plugins>
            <plugin>
                <groupId>org.apache.maven.plugins</groupId>
                <artifactId>maven-source-plugin</artifactId>
                <executions>
                    <execution>
                        <id>attach-sources</id>
                        <goals>
                            <goal>jar-no-fork</goal>
                        </goals>
                    </execution>
                </executions>
            </plugin>
        </plugins>
    </build>
</project>
`))

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
