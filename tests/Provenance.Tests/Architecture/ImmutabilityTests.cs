using System.Reflection;
using System.Runtime.CompilerServices;

namespace Provenance.Tests.Architecture;

/// <summary>
/// The library's public types are sealed (or static, or closed hierarchies) and immutable: results and options
/// are shared across threads and handed to callers, who must not be able to change a verdict after the fact.
/// </summary>
public sealed class ImmutabilityTests
{
    private static readonly Assembly Library = typeof(Problem).Assembly;

    private static IEnumerable<Type> PublicTypes => Library.GetExportedTypes().Where(t => !t.IsInterface && !t.IsEnum && !typeof(Delegate).IsAssignableFrom(t));

    [Fact]
    public void Public_classes_are_sealed_static_or_closed()
    {
        var open = PublicTypes
            .Where(t => t.IsClass && !t.IsSealed && !(t.IsAbstract && t.IsSealed))
            // An abstract base whose constructors no outside code can call is a closed hierarchy.
            .Where(t => !(t.IsAbstract && t.GetConstructors(BindingFlags.Public | BindingFlags.Instance).Length == 0
                && t.GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).All(c => c.IsAssembly || c.IsFamilyAndAssembly || c.IsPrivate)))
            .Select(t => t.FullName);
        Assert.Empty(open);
    }

    [Fact]
    public void Public_properties_have_no_public_setters_other_than_init()
    {
        var mutable = PublicTypes
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(p => p.SetMethod is { IsPublic: true } setter
                && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)))
            .Select(p => $"{p.DeclaringType!.FullName}.{p.Name}");
        Assert.Empty(mutable);
    }

    [Fact]
    public void Public_fields_are_constant_or_read_only()
    {
        var writable = PublicTypes
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(f => !f.IsLiteral && !f.IsInitOnly)
            .Select(f => $"{f.DeclaringType!.FullName}.{f.Name}");
        Assert.Empty(writable);
    }
}
