BeforeAll { . $PSScriptRoot/Common.ps1 }

Describe 'Fw in the real pwsh' {
    It 'imports by manifest and reads the sample log' {
        $drops = @(Get-FwDrop -Path $FwSampleLog -DestinationPort 49154)
        $drops.Count | Should -Be 12
        $drops | ForEach-Object { $_.DestinationPort | Should -Be 49154 }
    }
    It 'works with the standard cmdlets users pipe into' {
        $groups = Get-FwDrop -Path $FwSampleLog | Group-Object DestinationPort | Sort-Object Count -Descending
        ($groups | Select-Object -First 1).Name | Should -Not -BeNullOrEmpty
    }
}
