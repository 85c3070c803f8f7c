namespace StatefulGuard.Core.Rules;

public interface IValidatingRule : IRule
{
    IEnumerable<Finding> Validate(RuleContext context, RuleOptions options);
}
