using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Tests.Rules.Defaults;

/// <summary>Rule <c>security-context</c>.</summary>
public sealed class SecurityContextDefaultsTests
{
    [Fact]
    public void Root_image_gets_seccomp_and_no_escalation_but_no_non_root_settings()
    {
        var result = Mutation.Run(Objects.StatefulSet());
        var sts = result.Mutated;
        var nginx = Mutation.Container(sts, "nginx").SecurityContext;

        Assert.Equal("RuntimeDefault", sts.Spec.Template.Spec.SecurityContext.SeccompProfile.Type);
        Assert.False(nginx.AllowPrivilegeEscalation);
        Assert.Null(nginx.RunAsNonRoot);
        Assert.Null(nginx.Capabilities);
    }

    [Fact]
    public void Pod_security_context_is_merged_not_replaced()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["securityContext"] = new JsonObject { ["fsGroup"] = 999, ["fsGroupChangePolicy"] = "OnRootMismatch" });
        var pod = Mutation.Run(sts).Mutated.Spec.Template.Spec.SecurityContext;
        Assert.Equal((999L, "OnRootMismatch", "RuntimeDefault"), (pod.FsGroup!.Value, pod.FsGroupChangePolicy, pod.SeccompProfile.Type));
    }

    [Fact]
    public void Declared_non_root_user_gets_run_as_non_root_and_drop_all()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["containers"]![0]!["securityContext"] = new JsonObject { ["runAsUser"] = 999 });
        var nginx = Mutation.Container(Mutation.Run(sts).Mutated, "nginx").SecurityContext;
        Assert.Equal((999L, true, false), (nginx.RunAsUser!.Value, nginx.RunAsNonRoot!.Value, nginx.AllowPrivilegeEscalation!.Value));
        Assert.Equal(["ALL"], nginx.Capabilities.Drop);
    }

    [Fact]
    public void Container_overriding_a_non_root_pod_user_with_root_gets_no_non_root_settings()
    {
        var sts = Objects.StatefulSet(edit: j =>
        {
            Mutation.Pod(j)["securityContext"] = new JsonObject { ["runAsUser"] = 1000 };
            var init = Mutation.Container("chown-data", "busybox:1.36");
            init["securityContext"] = new JsonObject { ["runAsUser"] = 0 };
            Mutation.Pod(j)["initContainers"] = new JsonArray(init);
        });

        var result = Mutation.Run(sts).Mutated;

        var init = Mutation.Container(result, "chown-data").SecurityContext;
        Assert.Null(init.RunAsNonRoot);
        Assert.Null(init.Capabilities);
        Assert.False(init.AllowPrivilegeEscalation);
        Assert.True(Mutation.Container(result, "nginx").SecurityContext.RunAsNonRoot);
    }

    [Fact]
    public void Privileged_and_sys_admin_containers_get_no_allow_privilege_escalation_false()
    {
        var sts = Objects.StatefulSet(edit: j =>
        {
            var sysctl = Mutation.Container("sysctl", "busybox:1.36");
            sysctl["securityContext"] = new JsonObject { ["privileged"] = true, ["runAsUser"] = 0 };
            var fuse = Mutation.Container("fuse", "example/fuse:1");
            fuse["securityContext"] = new JsonObject { ["capabilities"] = new JsonObject { ["add"] = new JsonArray("SYS_ADMIN") } };
            Mutation.Pod(j)["initContainers"] = new JsonArray(sysctl);
            Mutation.Pod(j)["containers"]!.AsArray().Add(fuse);
        });

        var result = Mutation.Run(sts).Mutated;

        var sysctlContext = Mutation.Container(result, "sysctl").SecurityContext;
        Assert.Null(sysctlContext.AllowPrivilegeEscalation);
        Assert.True(sysctlContext.Privileged);
        Assert.Null(Mutation.Container(result, "fuse").SecurityContext.AllowPrivilegeEscalation);
    }

    [Fact]
    public void Restricted_profile_sets_non_root_everywhere_except_explicit_root()
    {
        var sts = Objects.StatefulSet(edit: j =>
        {
            var init = Mutation.Container("chown-data", "busybox:1.36");
            init["securityContext"] = new JsonObject { ["runAsUser"] = 0 };
            Mutation.Pod(j)["initContainers"] = new JsonArray(init);
        });

        var result = Mutation.Run(sts, settings: new Dictionary<string, string?> { ["Rules:security-context:Profile"] = "Restricted" }).Mutated;

        Assert.True(Mutation.Container(result, "nginx").SecurityContext.RunAsNonRoot);
        Assert.Null(Mutation.Container(result, "chown-data").SecurityContext.RunAsNonRoot);
    }

    [Fact]
    public void User_values_win_over_defaults()
    {
        var sts = Objects.StatefulSet(edit: j =>
        {
            Mutation.Pod(j)["securityContext"] = new JsonObject { ["seccompProfile"] = new JsonObject { ["type"] = "Unconfined" } };
            Mutation.Pod(j)["containers"]![0]!["securityContext"] = new JsonObject { ["allowPrivilegeEscalation"] = true };
        });

        var result = Mutation.Run(sts).Mutated;

        Assert.Equal("Unconfined", result.Spec.Template.Spec.SecurityContext.SeccompProfile.Type);
        Assert.True(Mutation.Container(result, "nginx").SecurityContext.AllowPrivilegeEscalation);
    }

    [Fact]
    public void Windows_pods_are_left_alone()
    {
        var sts = Objects.StatefulSet(edit: j => Mutation.Pod(j)["os"] = new JsonObject { ["name"] = "windows" });
        var result = Mutation.Run(sts);
        Assert.Null(result.Mutated.Spec.Template.Spec.SecurityContext.SeccompProfile);
        Assert.DoesNotContain(result.Injected, e => e.StartsWith("security-context", StringComparison.Ordinal));
    }
}
