using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Model;

namespace NetRpc.RpcGen.Compatibility;

internal sealed partial class SpecificationComparer
{
    private const string ProgramGone = "RFC 5531 section 9: a server without the program answers calls to it PROG_UNAVAIL";
    private const string VersionGone = "RFC 5531 section 9: a server without the version answers calls to it PROG_MISMATCH";
    private const string ProcedureGone = "RFC 5531 section 9: a server without the procedure answers calls to it PROC_UNAVAIL";
    private const string Renumbered = "RFC 5531 section 8.1: a call names the program, version and procedure by number, never by name, so peers built from the old file call a number the new one no longer serves";
    private const string NamesOnly = "RFC 5531 section 8.1: calls carry numbers, not names, so the wire is unchanged; the generated names change";

    /// <summary>
    /// Programs by number, then each version by its program's number and its own. A program number may be split over
    /// several program blocks (Solaris's nfs_prot.x has one for NFS version 2 and one for 3), so versions are matched
    /// across the blocks: what a call names is a program number and a version number.
    /// </summary>
    private void ComparePrograms()
    {
        Dictionary<(uint Program, uint Version), (ProgramDefinition Program, VersionDefinition Version)> oldVersions = Versions(_old), newVersions = Versions(_new);
        var oldNumbers = _old.Programs.Select(p => p.Number).ToHashSet();
        var newNumbers = _new.Programs.Select(p => p.Number).ToHashSet();
        foreach (ProgramDefinition program in _old.Programs)
        {
            if (!newNumbers.Contains(program.Number))
            {
                if (_new.Programs.FirstOrDefault(p => p.Name == program.Name && !oldNumbers.Contains(p.Number)) is { } moved)
                {
                    Report(DiagnosticDescriptors.ProgramRenumbered, moved.Location, program.Location,
                        $"program {program.Name} renumbered from {ProgramNumber(program.Number)} to {ProgramNumber(moved.Number)}", Renumbered);
                }
                else
                {
                    Report(DiagnosticDescriptors.ProgramRemoved, Top(_new), program.Location, $"program {program.Name}, number {ProgramNumber(program.Number)}, removed", ProgramGone);
                }

                continue;
            }

            foreach (VersionDefinition version in program.Versions)
            {
                if (newVersions.TryGetValue((program.Number, version.Number), out var match))
                {
                    if (match.Program.Name != program.Name)
                    {
                        Report(DiagnosticDescriptors.ProgramRenamed, match.Program.Location, program.Location,
                            $"program {ProgramNumber(program.Number)} renamed from {program.Name} to {match.Program.Name}", NamesOnly);
                    }

                    if (match.Version.Name != version.Name)
                    {
                        Report(DiagnosticDescriptors.VersionRenamed, match.Version.Location, version.Location,
                            $"version {version.Number} of program {match.Program.Name} renamed from {version.Name} to {match.Version.Name}", NamesOnly);
                    }

                    CompareProcedures(version, match.Program, match.Version);
                    continue;
                }

                ProgramDefinition[] holders = [.. _new.Programs.Where(p => p.Number == program.Number)];
                if (holders.SelectMany(p => p.Versions).FirstOrDefault(v => v.Name == version.Name && !oldVersions.ContainsKey((program.Number, v.Number))) is { } movedVersion)
                {
                    Report(DiagnosticDescriptors.VersionRenumbered, movedVersion.Location, version.Location,
                        $"version {version.Name} of program {program.Name} renumbered from {version.Number} to {movedVersion.Number}", Renumbered);
                }
                else
                {
                    Report(DiagnosticDescriptors.VersionRemoved, holders[0].Location, version.Location,
                        $"version {version.Name} ({version.Number}) of program {program.Name} removed", VersionGone);
                }
            }
        }
    }

    private static Dictionary<(uint, uint), (ProgramDefinition, VersionDefinition)> Versions(Specification specification)
    {
        var versions = new Dictionary<(uint, uint), (ProgramDefinition, VersionDefinition)>();
        foreach (ProgramDefinition program in specification.Programs)
        {
            foreach (VersionDefinition version in program.Versions)
            {
                versions.TryAdd((program.Number, version.Number), (program, version));
            }
        }

        return versions;
    }

    private static string ProgramNumber(uint number) => $"{number} (0x{number:x})";

    /// <summary>The procedures of one version, by number.</summary>
    private void CompareProcedures(VersionDefinition oldVersion, ProgramDefinition newProgram, VersionDefinition newVersion)
    {
        var newByNumber = new Dictionary<uint, ProcedureDefinition>();
        foreach (ProcedureDefinition procedure in newVersion.Procedures)
        {
            newByNumber.TryAdd(procedure.Number, procedure);
        }

        var oldNumbers = oldVersion.Procedures.Select(p => p.Number).ToHashSet();
        string version = $"version {newVersion.Number} of program {newProgram.Name}";
        foreach (ProcedureDefinition procedure in oldVersion.Procedures)
        {
            if (newByNumber.TryGetValue(procedure.Number, out ProcedureDefinition? match))
            {
                CompareProcedure(procedure, match, version);
            }
            else if (newVersion.Procedures.FirstOrDefault(p => p.Name == procedure.Name && !oldNumbers.Contains(p.Number)) is { } moved)
            {
                Report(DiagnosticDescriptors.ProcedureRenumbered, moved.Location, procedure.Location,
                    $"procedure {procedure.Name} of {version} renumbered from {procedure.Number} to {moved.Number}", Renumbered);
            }
            else
            {
                Report(DiagnosticDescriptors.ProcedureRemoved, newVersion.Location, procedure.Location,
                    $"procedure {procedure.Name} ({procedure.Number}) of {version} removed", ProcedureGone);
            }
        }
    }

    /// <summary>
    /// One procedure: its name, its arguments and its result. Several arguments (rpcgen -N) go on the wire one after
    /// another, as the fields of a struct would, so they are compared as fields are.
    /// </summary>
    private void CompareProcedure(ProcedureDefinition old, ProcedureDefinition @new, string version)
    {
        if (old.Name != @new.Name)
        {
            Report(DiagnosticDescriptors.ProcedureRenamed, @new.Location, old.Location,
                $"procedure {@new.Number} of {version} renamed from {old.Name} to {@new.Name}", NamesOnly);
        }

        string owner = $"procedure {@new.Name}";
        CompareMembers(owner, "argument",
            [.. old.Arguments.Select(a => new Member(a.Name, a.IsNamed, FormReader.Of(a.Declaration), a.Declaration.Location))],
            [.. @new.Arguments.Select(a => new Member(a.Name, a.IsNamed, FormReader.Of(a.Declaration), a.Declaration.Location))],
            @new.Location, old.Location);
        CompareForms(FormReader.Of(old.Result), FormReader.Of(@new.Result), new Site($"{owner} result", @new.Result.Location, old.Result.Location));
    }
}
