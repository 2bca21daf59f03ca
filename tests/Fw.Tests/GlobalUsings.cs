global using System.Management.Automation;
global using Fw.Tests.Harness;
global using Xunit;
