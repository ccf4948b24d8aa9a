# scale_into (array(float64, 1d, C), array(float64, 1d, C), float, int)
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
block0:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %r8
  movq 0x18(%rdi), %rcx
  movq 0x20(%rdi), %rcx
  movq 0x28(%rdi), %rsi
  movq 0x30(%rdi), %r9
  movq 0x38(%rdi), %rsi
  vmovsd 0x40(%rdi), %xmm0
  movq 0x48(%rdi), %rsi
  movl 4(%rdx), %r10d
  leal 1(%r10), %r11d
  movl %r11d, 4(%rdx)
  jmp     label1
block1:
  movl 8(%rdx), %r11d
  leal 1(%r10), %r10d
  cmpl %r11d, %r10d
  jnbe    label15; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq %rsi, %r11
  addq $0x0, %r11
  seto %r10b
  cmpq %r9, %r11
  setg %r9b
  orl %r10d, %r9d
  testb %r9b, %r9b
  jnz     label5; j label6
block6:
  movq %rsi, %r10
  addq $0x0, %r10
  seto %r9b
  cmpq %r8, %r10
  setg %r8b
  orl %r9d, %r8d
  testb %r8b, %r8b
  jnz     label7; j label8
block8:
  uninit  %rdi
  xorq %rdi, %rdi
  jmp     label9
block9:
  cmpq %rsi, %rdi
  jl      label12; j label10
block10:
  jmp     label11
block11:
  addl $0xffffffff, 4(%rdx)
  uninit  %rax
  xorl %eax, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block12:
  vmulsd (%rcx, %rdi, 8), %xmm0, %xmm1
  vmovsd %xmm1, (%rax, %rdi, 8)
  jmp     label13
block13:
  leaq 1(%rdi), %rdi
  jmp     label9
block5:
  jmp     label14
block7:
  jmp     label14
block14:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r8
  movq %rax, 0x10(%rdx)
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r8, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  vmovsd 0x40(%rdi), %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq %rax, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq $0x0, 0x68(%rdx)
  movl $0x0, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block15:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r8
  movq %rax, 0x10(%rdx)
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r8, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  vmovsd 0x40(%rdi), %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq %rax, 0x58(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movq %rbp, %rsp
  popq %rbp
  retq
