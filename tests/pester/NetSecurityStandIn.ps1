# A stand-in for the NetSecurity module's New-NetFirewallRule, for hosts without it (Linux, the test engine).
# Parameter names, aliases and types follow the documented cmdlet (Microsoft docs: New-NetFirewallRule, NetSecurity
# module reference): a misspelt parameter or a value of the wrong type fails like the real one.
# The CIM enumerations are declared with the cmdlet's type names and values. Each call that passes
# ShouldProcess is recorded in $global:FwStandInCalls (the bound parameters) and the rule it would create
# in $global:FwStandInRules (Name = rule ID, RuleString = the registry rule string built from the
# parameters, independently of Fw). Creating a rule whose ID exists fails like the real cmdlet.

enum Enabled { True = 1; False = 2 }
[Flags()] enum Profile { Any = 0; Domain = 1; Private = 2; Public = 4; NotApplicable = 65535 }
enum Direction { Inbound = 1; Outbound = 2 }
enum Action { NotConfigured = 0; Allow = 2; Block = 4 }
enum EdgeTraversal { Block = 0; Allow = 1; DeferToUser = 2; DeferToApp = 3 }
enum DynamicTransport { Any = 0; ProximityApps = 1; ProximitySharing = 2; WifiDirectPrinting = 3; WifiDirectDisplay = 4; WifiDirectDevices = 5 }
enum InterfaceType { Any = 0; Wired = 1; Wireless = 2; RemoteAccess = 4 }
enum Authentication { NotRequired = 0; Required = 1; NoEncap = 2 }
enum Encryption { NotRequired = 0; Required = 1; Dynamic = 2 }

$global:FwStandInCalls = [System.Collections.Generic.List[hashtable]]::new()
$global:FwStandInRules = [System.Collections.Generic.List[object]]::new()

function New-NetFirewallRule {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    param(
        [string] $PolicyStore,
        [string] $GPOSession,
        [Alias('ID')] [string] $Name,
        [Parameter(Mandatory = $true)] [string] $DisplayName,
        [string] $Description,
        [string] $Group,
        [Enabled] $Enabled,
        [Profile] $Profile,
        [string[]] $Platform,
        [Direction] $Direction,
        [Action] $Action,
        [EdgeTraversal] $EdgeTraversalPolicy,
        [bool] $LooseSourceMapping,
        [bool] $LocalOnlyMapping,
        [string] $Owner,
        [string[]] $LocalAddress,
        [string[]] $RemoteAddress,
        [string] $Protocol,
        [string[]] $LocalPort,
        [string[]] $RemotePort,
        [string[]] $IcmpType,
        [DynamicTransport] $DynamicTarget,
        [string] $Program,
        [string] $Package,
        [string] $Service,
        [WildcardPattern[]] $InterfaceAlias,
        [InterfaceType] $InterfaceType,
        [string] $LocalUser,
        [string] $RemoteUser,
        [string] $RemoteMachine,
        [Authentication] $Authentication,
        [Encryption] $Encryption,
        [bool] $OverrideBlockRules,
        [string[]] $RemoteDynamicKeywordAddresses,
        [object[]] $CimSession, # CimSession[] in the real cmdlet (which also takes computer names); recorded only
        [int] $ThrottleLimit,
        [switch] $AsJob
    )
    if ($DisplayName -eq 'All') { throw "DisplayName cannot be set to All." }
    if (-not $Name) { $Name = '{' + [guid]::NewGuid().ToString().ToUpperInvariant() + '}' }
    if ($global:FwStandInRules | Where-Object { $_.Name -eq $Name }) {
        $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
            [System.IO.IOException]::new("Cannot create a file when that file already exists. (rule '$Name')"),
            'Windows System Error 183,New-NetFirewallRule', [System.Management.Automation.ErrorCategory]::ResourceExists, $Name))
        return
    }
    if (-not $PSCmdlet.ShouldProcess($DisplayName, 'New-NetFirewallRule')) { return }

    $call = @{}
    foreach ($k in $PSBoundParameters.Keys) { $call[$k] = $PSBoundParameters[$k] }
    $global:FwStandInCalls.Add($call)

    # The registry form ([MS-GPFAS] 2.2.2.19), as the firewall would store the new rule.
    $proto = switch ($Protocol) { 'TCP' { 6 } 'UDP' { 17 } 'ICMPv4' { 1 } 'ICMPv6' { 58 } '' { $null } default { [int]$Protocol } }
    $a = if ($PSBoundParameters.ContainsKey('Action')) { $Action } else { [Action]::Allow }
    $on = if ($PSBoundParameters.ContainsKey('Enabled') -and $Enabled -eq [Enabled]::False) { 'FALSE' } else { 'TRUE' }
    $dir = if ($Direction -eq [Direction]::Outbound) { 'Out' } else { 'In' }
    $s = "v2.30|Action=$a|Active=$on|Dir=$dir|"
    if ($null -ne $proto) { $s += "Protocol=$proto|" }
    foreach ($p in 'Domain', 'Private', 'Public') { if ($Profile -band [Profile]$p) { $s += "Profile=$p|" } }
    foreach ($lp in $LocalPort) { $s += 'LPort=' + $(if ($lp -eq 'RPCEPMap') { 'RPC-EPMap' } else { $lp }) + '|' }
    foreach ($rp in $RemotePort) { $s += "RPort=$rp|" }
    foreach ($t in $IcmpType) { $s += $(if ($proto -eq 58) { 'ICMP6' } else { 'ICMP4' }) + "=${t}:*|" }
    $keywords = @{ LocalSubnet = 'LocalSubnet'; DNS = 'DNS'; DHCP = 'DHCP'; WINS = 'WINS'; DefaultGateway = 'DefaultGateway' }
    $extended = @{ Internet = 'IntErnet'; Intranet = 'IntrAnet'; IntranetRemoteAccess = 'RmtIntrAnet'; PlayToDevice = 'Ply2Renders' }
    foreach ($ra in $RemoteAddress) {
        $base = $ra -replace '[46]$', ''
        $fam = if ($ra -match '4$' -and $base -ne $ra) { '4' } elseif ($ra -match '6$' -and $base -ne $ra) { '6' } else { '' }
        if ($ra -eq 'Any') { continue }
        elseif ($keywords.ContainsKey($base)) { foreach ($f in '4', '6') { if (-not $fam -or $fam -eq $f) { $s += "RA$f=$($keywords[$base])|" } } }
        elseif ($extended.ContainsKey($base)) { foreach ($f in '4', '6') { if (-not $fam -or $fam -eq $f) { $s += "RA${f}2=$($extended[$base])|" } } }
        elseif ($ra.Contains(':')) { $s += "RA6=$ra|" }
        else { $s += "RA4=$ra|" }
    }
    foreach ($la in $LocalAddress) {
        if ($la -eq 'Any') { continue }
        $s += $(if ($la.Contains(':')) { 'LA6=' } else { 'LA4=' }) + "$la|"
    }
    if ($Program) { $s += "App=$Program|" }
    $s += "Name=$DisplayName|"
    if ($Description) { $s += "Desc=$Description|" }
    if ($Group) { $s += "EmbedCtxt=$Group|" }
    $global:FwStandInRules.Add([pscustomobject]@{ Name = $Name; RuleString = $s })
    [pscustomobject]@{ PSTypeName = 'StandIn.MSFT_NetFirewallRule'; Name = $Name; DisplayName = $DisplayName; Enabled = $on }
}

# ---- Set-NetFirewallProfile / Get-NetFirewallProfile -------------------------------------------------------
# Stand-ins with the documented parameter sets (MSDocs Set-NetFirewallProfile / Get-NetFirewallProfile,
# and the firewall-logging settings they map to): -Name (alias Profile, position 0) | -All | -InputObject; GpoBoolean values
# False, True, NotConfigured. Each Set call that passes ShouldProcess is recorded (bound parameters) in
# $global:FwStandInProfileCalls and changes $global:FwStandInProfiles, which Get-NetFirewallProfile returns.

enum GpoBoolean { False = 0; True = 1; NotConfigured = 2 }

$global:FwStandInProfileCalls = [System.Collections.Generic.List[hashtable]]::new()
$global:FwStandInProfiles = [ordered]@{}
foreach ($p in 'Domain', 'Private', 'Public') {
    $global:FwStandInProfiles[$p] = [pscustomobject]@{
        PSTypeName = 'StandIn.MSFT_NetFirewallProfile'; Name = $p; Enabled = [GpoBoolean]::True
        LogAllowed = [GpoBoolean]::False; LogBlocked = [GpoBoolean]::False; LogIgnored = [GpoBoolean]::NotConfigured
        LogFileName = '%systemroot%\system32\LogFiles\Firewall\pfirewall.log'; LogMaxSizeKilobytes = [uint64]4096
    }
}

function Set-NetFirewallProfile {
    [CmdletBinding(DefaultParameterSetName = 'Query (cdxml)', SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    param(
        [Parameter(ParameterSetName = 'Query (cdxml)', Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Profile')] [string[]] $Name,
        [Parameter(ParameterSetName = 'GetAll', Mandatory = $true)] [switch] $All,
        [Parameter(ParameterSetName = 'InputObject (cdxml)', Mandatory = $true, ValueFromPipeline = $true)]
        [object[]] $InputObject, # CimInstance[] in the real cmdlet
        [string] $PolicyStore,
        [string] $GPOSession,
        [GpoBoolean] $Enabled,
        [Action] $DefaultInboundAction,
        [Action] $DefaultOutboundAction,
        [GpoBoolean] $AllowInboundRules,
        [GpoBoolean] $AllowLocalFirewallRules,
        [GpoBoolean] $AllowLocalIPsecRules,
        [GpoBoolean] $AllowUserApps,
        [GpoBoolean] $AllowUserPorts,
        [GpoBoolean] $AllowUnicastResponseToMulticast,
        [GpoBoolean] $NotifyOnListen,
        [GpoBoolean] $EnableStealthModeForIPsec,
        [string] $LogFileName,
        [uint64] $LogMaxSizeKilobytes,
        [GpoBoolean] $LogAllowed,
        [GpoBoolean] $LogBlocked,
        [GpoBoolean] $LogIgnored,
        [string[]] $DisabledInterfaceAliases,
        [object[]] $CimSession, # CimSession[] in the real cmdlet; not used here
        [int] $ThrottleLimit,
        [switch] $AsJob,
        [switch] $PassThru
    )
    process {
        $names = if ($All) { @($global:FwStandInProfiles.Keys) } elseif ($InputObject) { @($InputObject.Name) } else { $Name }
        if ($PSBoundParameters.ContainsKey('LogMaxSizeKilobytes') -and ($LogMaxSizeKilobytes -lt 1 -or $LogMaxSizeKilobytes -gt 32767)) {
            throw "The value $LogMaxSizeKilobytes of LogMaxSizeKilobytes is out of range (1-32767)."
        }
        foreach ($n in $names) {
            if (-not $global:FwStandInProfiles.Contains($n)) {
                $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                    [System.ArgumentException]::new("No MSFT_NetFirewallProfile objects found with property 'Name' equal to '$n'."),
                    'CmdletizationQuery_NotFound_Name,Set-NetFirewallProfile', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $n))
                return
            }
        }
        if (-not $PSCmdlet.ShouldProcess(($names -join ', '), 'Set-NetFirewallProfile')) { return }
        $call = @{}
        foreach ($k in $PSBoundParameters.Keys) { $call[$k] = $PSBoundParameters[$k] }
        $global:FwStandInProfileCalls.Add($call)
        foreach ($n in $names) {
            $p = $global:FwStandInProfiles[$n]
            foreach ($k in 'LogAllowed', 'LogBlocked', 'LogIgnored', 'LogFileName', 'LogMaxSizeKilobytes', 'Enabled') {
                if ($PSBoundParameters.ContainsKey($k)) { $p.$k = $PSBoundParameters[$k] }
            }
            if ($PassThru) { $p }
        }
    }
}

function Get-NetFirewallProfile {
    [CmdletBinding(DefaultParameterSetName = 'GetAll')]
    param(
        [Parameter(ParameterSetName = 'Query (cdxml)', Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Profile')] [string[]] $Name,
        [Parameter(ParameterSetName = 'GetAll')] [switch] $All,
        [string] $PolicyStore,
        [string] $GPOSession,
        [object[]] $CimSession,
        [int] $ThrottleLimit,
        [switch] $AsJob
    )
    $names = if ($Name) { $Name } else { @($global:FwStandInProfiles.Keys) }
    foreach ($n in $names) { $global:FwStandInProfiles[$n] }
}
