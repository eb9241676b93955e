using System.Text.RegularExpressions;
using NetRpc.Packaging.Tests.Support;

namespace NetRpc.Packaging.Tests;

/// <summary>
/// NetRpc.RpcGen.MSBuild from the feed, in a project whose path has a space in it: the classic example built with
/// RpcGen items, generated only when an input changed, with errors at the .x file's line and column.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed partial class MSBuildPackageTests(PackageFeed feed)
{
    private const string SkippedGeneration = "Skipping target \"RpcGenGenerate\" because all output files are up-to-date";

    [Fact]
    public void Generates_before_compiling_skips_when_nothing_changed_and_regenerates_when_an_include_changes()
    {
        string project = Consumer("incremental build");
        string generated = Path.Combine(project, "obj", "Debug", "net10.0", "rpcgen");

        feed.Dotnet(project, "build").Succeeded();
        string[] outputs = ["my_proto_xdr.cs", "my_proto_clnt.cs", "my_proto_svc.cs", "limits_xdr.cs", "my_proto.rpcgen.deps", "limits.rpcgen.deps"];
        Dictionary<string, DateTime> written = outputs.ToDictionary(f => f, f => File.GetLastWriteTimeUtc(Path.Combine(generated, f)));
        Assert.Contains(Path.Combine(project, "include dir", "limits.h"), File.ReadAllLines(Path.Combine(generated, "limits.rpcgen.deps")));

        // Nothing changed: the generation is skipped, and its outputs keep their time.
        CommandResult second = feed.Dotnet(project, "build", "-v:d").Succeeded();
        Assert.Contains(SkippedGeneration, second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Building target \"RpcGenGenerate\"", second.Output, StringComparison.Ordinal);
        Assert.All(outputs, f => Assert.Equal(written[f], File.GetLastWriteTimeUtc(Path.Combine(generated, f))));

        // A file the .x includes changed: generated again.
        string header = Path.Combine(project, "include dir", "limits.h");
        File.WriteAllText(header, "const MAX_VALUES = 32;\n");
        File.SetLastWriteTimeUtc(header, DateTime.UtcNow.AddSeconds(2));
        CommandResult third = feed.Dotnet(project, "build", "-v:d").Succeeded();
        Assert.Contains("Building target \"RpcGenGenerate\"", third.Output, StringComparison.Ordinal);
        Assert.Contains("const int MaxValues = 32;", File.ReadAllText(Path.Combine(generated, "limits_xdr.cs")), StringComparison.Ordinal);

        // A change to an item's metadata: generated again.
        string csproj = Path.Combine(project, "Consumer.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("Namespace=\"MyProto.Limits\"", "Namespace=\"MyProto.Bounds\"", StringComparison.Ordinal));
        feed.Dotnet(project, "build").Succeeded();
        Assert.Contains("namespace MyProto.Bounds;", File.ReadAllText(Path.Combine(generated, "limits_xdr.cs")), StringComparison.Ordinal);

        // dotnet clean removes what was generated; a design-time build generates it again.
        feed.Dotnet(project, "clean").Succeeded();
        Assert.All(outputs, f => Assert.False(File.Exists(Path.Combine(generated, f)), $"{f} survived dotnet clean"));
        CommandResult designTime = feed.Dotnet(project, "msbuild", "-t:Compile", "-p:DesignTimeBuild=true", "-p:BuildingProject=false", "-p:SkipCompilerExecution=true", "-p:ProvideCommandLineArgs=true", "-v:n").Succeeded();
        Assert.All(outputs, f => Assert.True(File.Exists(Path.Combine(generated, f)), $"the design-time build did not generate {f}"));
        Assert.Contains(Path.Combine(generated, "my_proto_clnt.cs"), designTime.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_in_the_x_file_is_an_msbuild_error_at_its_line_and_column()
    {
        string project = Consumer("broken x file");
        string x = Path.Combine(project, "my_proto.x");
        File.WriteAllText(x, "program TEST_PROG {\n    version TEST_VERS {\n        long TEST(void) = 1\n    } = 1;\n} = 0x31234567;\n");

        CommandResult build = feed.Dotnet(project, "build");
        Assert.NotEqual(0, build.ExitCode);
        Assert.Matches(new Regex($@"^\s*{Regex.Escape(x)}\(3,\d+\): error RPCG0005: ", RegexOptions.Multiline), build.Output);
        Assert.False(File.Exists(Path.Combine(project, "bin", "Debug", "net10.0", "my_proto.dll")));
    }

    [Fact]
    public void The_classic_example_built_from_the_packages_runs()
    {
        string project = Consumer("classic example");
        feed.Dotnet(project, "build").Succeeded();
        CommandResult run = Isolated.Run(PackageFeed.DotnetHost, [Path.Combine(project, "bin", "Debug", "net10.0", "my_proto.dll")], project, feed.Environment).Succeeded();
        Assert.Equal(["The result from RPC is 100", "The result from RPC is 100"], run.Output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("The result", StringComparison.Ordinal)));
    }

    [Fact]
    public void Dotnet_watch_watches_the_x_files_and_what_they_include()
    {
        string project = Consumer("watch");
        feed.Dotnet(project, "build").Succeeded(); // writes what each .x file included

        // The target dotnet watch's _CollectWatchItems runs through CustomCollectWatchItems, asked for its items.
        CommandResult watch = feed.Dotnet(project, "msbuild", "-t:_RpcGenCollectWatchItems", "-getItem:Watch").Succeeded();
        using var items = System.Text.Json.JsonDocument.Parse(watch.Output);
        string[] watched = [.. items.RootElement.GetProperty("Items").GetProperty("Watch").EnumerateArray().Select(i => i.GetProperty("FullPath").GetString()!)];
        Assert.Contains(Path.Combine(project, "my_proto.x"), watched);
        Assert.Contains(Path.Combine(project, "shared types", "limits.x"), watched);
        Assert.Contains(Path.Combine(project, "include dir", "limits.h"), watched);
        Assert.Contains("_RpcGenCollectWatchItems", feed.Dotnet(project, "msbuild", "-getProperty:CustomCollectWatchItems").Succeeded().Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A project for .NET 8 that references the package gets one error that says why, not one CS0400 per generated
    /// reference to NetRpc.Runtime (which the package brings only to net10.0). The project restores the .NET 8
    /// targeting pack from the machine's own package sources (this SDK has only .NET 10's), and NetRpc's packages
    /// from the feed.
    /// </summary>
    [Fact]
    public void A_project_for_an_earlier_framework_gets_one_clear_error()
    {
        string project = Consumer("net8", outsideFeedConfiguration: true);
        string csproj = Path.Combine(project, "Consumer.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("<TargetFramework>net10.0</TargetFramework>", "<TargetFramework>net8.0</TargetFramework>", StringComparison.Ordinal));

        CommandResult build = feed.Dotnet(project, "build");
        Assert.NotEqual(0, build.ExitCode);
        Assert.DoesNotContain("CS0400", build.Output, StringComparison.Ordinal);
        Assert.Contains(" 1 Error(s)", build.Output, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"error RPCG9006: NetRpc\.RpcGen\.MSBuild generates code for \.NET 10 or later .*this project targets net8\.0\."), build.Output);
        Assert.False(Directory.Exists(Path.Combine(project, "obj", "Debug", "net8.0", "rpcgen")), "generated before refusing");
    }

    /// <summary>
    /// A project like samples/my_proto, with the package in place of the in-repo import, in a folder whose name
    /// has spaces, and a second .x file that includes a header from another such folder.
    /// </summary>
    private string Consumer(string name, bool outsideFeedConfiguration = false)
    {
        string project = Directory.CreateDirectory(Path.Combine(outsideFeedConfiguration ? feed.Outside : feed.Root, $"consumer {name}")).FullName;
        if (outsideFeedConfiguration)
        {
            // Not below the feed's nuget.config, which clears every other source: the feed, and the machine's sources.
            File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="netrpc-test-feed" value="{feed.Feed}" />
                  </packageSources>
                </configuration>
                """);
        }

        string sample = Path.Combine(PackageFeed.Repository, "samples", "my_proto");
        foreach (string file in new[] { "my_proto.x", "Program.cs", "TestService.cs" })
        {
            File.Copy(Path.Combine(sample, file), Path.Combine(project, file));
        }

        Directory.CreateDirectory(Path.Combine(project, "include dir"));
        Directory.CreateDirectory(Path.Combine(project, "shared types"));
        File.WriteAllText(Path.Combine(project, "include dir", "limits.h"), "const MAX_VALUES = 16;\n");
        File.WriteAllText(Path.Combine(project, "shared types", "limits.x"), "#include \"limits.h\"\nstruct bounded { int values<MAX_VALUES>; };\n");
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RootNamespace>MyProto</RootNamespace>
                <AssemblyName>my_proto</AssemblyName>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NetRpc.RpcGen.MSBuild" Version="{feed.Version}" />
              </ItemGroup>
              <ItemGroup>
                <RpcGen Include="my_proto.x" />
                <RpcGen Include="shared types/limits.x" Services="None" Namespace="MyProto.Limits" IncludeDirectories="include dir" />
              </ItemGroup>
            </Project>
            """);
        return project;
    }
}
