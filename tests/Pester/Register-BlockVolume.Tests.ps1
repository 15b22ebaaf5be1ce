BeforeAll {
    # An error a test does not expect fails it, rather than leaving $null for the next assertion to accept.
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:testRoot = Initialize-CinderBackupTest
}

AfterAll {
    Remove-CinderBackupTest -TestRoot $script:testRoot
}

Describe 'Register-BlockVolume' {
    It 'registers an image file and measures it' {
        $image = New-TestImage -Path (Join-Path $script:testRoot 'reg1.img') -Size 100MB
        $v = Register-BlockVolume -Name reg-one -Path $image -Description 'existing image'
        $v.Backend | Should -Be 'path'
        $v.SizeBytes | Should -Be 100MB
        $v.Size | Should -Be 1
        $v.Path | Should -Be $image
    }

    It 'takes files from the pipeline by PSPath' {
        $image = New-TestImage -Path (Join-Path $script:testRoot 'reg2.img')
        $v = Get-Item -LiteralPath $image | Register-BlockVolume -Name reg-two
        $v.Path | Should -Be $image
    }

    It 'refuses a path that does not exist' {
        { Register-BlockVolume -Name reg-missing -LiteralPath (Join-Path $script:testRoot 'missing.img') -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidPath,CinderBackup.Commands.RegisterBlockVolumeCommand'
        Get-BlockVolume -Name reg-missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses a path registered twice' {
        $image = New-TestImage -Path (Join-Path $script:testRoot 'reg3.img')
        Register-BlockVolume -Name reg-three -LiteralPath $image | Out-Null
        { Register-BlockVolume -Name reg-again -LiteralPath $image -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidPath,CinderBackup.Commands.RegisterBlockVolumeCommand'
    }

    It 'refuses a bad RBD spec with InvalidPath, naming it, and registers nothing' {
        foreach ($spec in 'volumes', 'volumes/a/b', 'volumes/img@snap') {
            { Register-BlockVolume -Name reg-rbd -Rbd $spec -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidPath,CinderBackup.Commands.RegisterBlockVolumeCommand' -ExpectedMessage "Invalid RBD image '$spec'*"
        }
        Get-BlockVolume -Name reg-rbd -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'changes nothing for an RBD image under -WhatIf' {
        Register-BlockVolume -Name reg-rbd-whatif -Rbd volumes/img -WhatIf | Should -BeNullOrEmpty
        Get-BlockVolume -Name reg-rbd-whatif -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'changes nothing under -WhatIf' {
        $image = New-TestImage -Path (Join-Path $script:testRoot 'reg4.img')
        Register-BlockVolume -Name reg-four -LiteralPath $image -WhatIf | Should -BeNullOrEmpty
        Get-BlockVolume -Name reg-four -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
